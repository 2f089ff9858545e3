import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { checkRunMemory, engine, type EngineId } from '../../engines';
import type { GpuContext } from '../../gpu/device';
import { requestNodeGpu } from '../../gpu/node';
import { emptyDir, parseShard } from '../../io/checkpoint';
import { RecordingMemoryError } from '../../model/recordingMemory';
import { validateScenario } from '../../model/validate';
import { version } from '../../version';
import { sweepFigureSvg, sweepFigures } from '../../sweep/figures';
import { checkVaryTarget, fieldUnit, parseVaries, pointText, type Vary } from '../../sweep/grid';
import { baseScenarioHash, createSweepManifest, type SweepManifest, sweepDifferences, sweepDirState, SWEEP_FORMAT, writeShared } from '../../sweep/manifest';
import { completeSummary, missingPoints, pointStarted, runPoints, shardPoints, type SweepPoint, sweepPoints } from '../../sweep/sweepRun';
import { sweepTable, tableCsv, tableJson, type TablePoint } from '../../sweep/table';
import { progressReporter } from '../progress';
import {
  blockTrialsFlag,
  blockTrialsHelp,
  checkRunFlags,
  engineOptionValues,
  flag,
  levelOptions,
  readRunScenario,
  RUN_FLAGS,
  runManifest,
  scenarioFlagHelp,
} from '../runFlags';

const help = `mesostp sweep <scenario.json> --vary PATH=FROM:TO:COUNT [--vary …] --out DIR [options]

Runs the scenario at every point of a grid of parameter values and writes a tidy table of the
points' summaries (DIR/sweep.csv and DIR/sweep.json) and a figure per quantity (DIR/figures/).

Each --vary names a numeric field of the scenario by its path, as mesostp check names fields
(populations.E.mu.value, projections[0].stp.U, run.dt), and its values:
  PATH=FROM:TO:COUNT       COUNT values evenly spaced from FROM to TO, both included (COUNT 1: FROM)
  PATH=FROM:TO:COUNT:log   evenly spaced in log (FROM, TO > 0)
  PATH=V1,V2,…             a list
The points are every combination, the first --vary varying slowest; point p runs in
DIR/points/NNN (p zero-padded), a run as mesostp run --out writes it (manifest, blocks,
summary.json, .npy arrays). Every point is validated before anything runs. Every point runs with
the same seed (common random numbers: differences between points are not blurred by different
noise; --seed changes it for all of them).

DIR holds DIR/manifest.json (the sweep) and the points. A killed sweep continues with --resume
(complete points are kept, a started one continues from its saved blocks, with the bytes of an
uninterrupted run). Shards: --shard K/N runs the points p with p mod N = K − 1; the shards of one
sweep may run at the same time into the same DIR (a SLURM array). The table and figures are
written by whichever invocation finds every point complete at its end, or by --table-only.

Table columns: point, each varied path, kind (population, input or stp), name, then every
quantity of summary.json with its standard error beside it (<quantity>_sem; empty where there is
none): rateHz; mean, sd, populationMean, populationSd (input, mV); the STP variables (u, x, …).

Options:
${flag('--vary SPEC', 'a field and its values (repeatable; at least one)')}
${scenarioFlagHelp}
${flag('--out DIR', 'output folder (required): new or empty, or this sweep with --resume')}
${flag('--resume', 'continue the sweep in DIR: complete points are kept, the others run')}
${flag('--force', 'empty DIR first, whatever it holds (not with --shard: shards share DIR)')}
${blockTrialsHelp}
${flag('--shard K/N', 'run only the points p with p mod N = K − 1 (1 ≤ K ≤ N), into the shared DIR')}
${flag('--table-only', 'run nothing: write the table and figures if every point is complete, else')}
${flag('', 'exit 1 naming the missing points (the same arguments as the sweep, plus this)')}
${flag('--dry-run', 'check everything (scenario, every point, options, memory), print the plan as')}
${flag('', 'one JSON line, run nothing and leave DIR as it is')}

Ctrl-C stops at the next chunk of steps; the saved blocks and complete points are kept and
--resume continues (exit status 130). On micro-gpu the points run one after another, each a
batch of its trials.`;

/** "001 (U=0.2), 003 (U=0.4)", at most `max` of them. */
function pointList(points: readonly SweepPoint[], varies: readonly Vary[], max = 12): string {
  const shown = points.slice(0, max).map((p) => `${p.name} (${pointText(varies, p.values)})`);
  return `${shown.join(', ')}${points.length > max ? `, and ${points.length - max} more` : ''}`;
}

/** Writes DIR/sweep.csv, DIR/sweep.json and DIR/figures/*.svg from the points' summary.json files; returns the figures' count. */
async function writeTable(
  out: string,
  m: SweepManifest,
  varies: readonly Vary[],
  units: readonly (string | undefined)[],
  points: readonly SweepPoint[],
): Promise<number> {
  const rows: TablePoint[] = [];
  for (const p of points) {
    const summary = await completeSummary(p);
    if (!summary) throw new Error(`point ${p.name} is not complete in ${out}`);
    rows.push({ index: p.index, values: p.values, summary });
  }
  const table = sweepTable(varies, rows);
  await writeShared(join(out, 'sweep.csv'), tableCsv(table));
  await writeShared(
    join(out, 'sweep.json'),
    tableJson(table, { scenario: m.scenario, level: m.level, trials: m.trials, duration: m.duration, seed: m.seed }, varies, units),
  );
  const figures = sweepFigures(table, varies, units, `${m.scenario} at ${m.level}, ${m.trials} trial(s)`);
  await mkdir(join(out, 'figures'), { recursive: true });
  for (const f of figures) await writeShared(join(out, 'figures', f.file), await sweepFigureSvg(f));
  return figures.length;
}

export function sweepCommandFactory(workerScript?: URL): Command {
  return {
    name: 'sweep',
    summary: 'run a scenario over a grid of parameter values; a table and figures of every summary quantity',
    help,
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          ...RUN_FLAGS,
          vary: { type: 'string', multiple: true },
          out: { type: 'string' },
          resume: { type: 'boolean', default: false },
          force: { type: 'boolean', default: false },
          shard: { type: 'string' },
          'table-only': { type: 'boolean', default: false },
          'dry-run': { type: 'boolean', default: false },
        },
      });
      const usage = (text: string) => {
        console.error(`mesostp sweep: ${text}`);
        return 2;
      };
      if (positionals.length !== 1 || !values.out) return usage(`expected one scenario file, --vary and --out DIR.\n\n${help}`);
      const flags = checkRunFlags('mesostp sweep', values);
      if ('error' in flags) {
        console.error(flags.error);
        return 2;
      }
      const level: EngineId = flags.level;
      let varies: Vary[];
      let shard: { index: number; count: number } | null;
      try {
        varies = parseVaries(values.vary ?? []);
        shard = values.shard === undefined ? null : parseShard(values.shard);
      } catch (error) {
        return usage((error as Error).message);
      }
      if (values.force && shard)
        return usage(
          '--force with --shard: the shards of a sweep share DIR, so none may empty it; empty it once before the shards start (or run one invocation with --force alone)',
        );
      if (values['table-only'] && shard) return usage('--table-only writes the table of the whole sweep: leave out --shard');
      const out = values.out;

      const read = await readRunScenario(positionals[0], values);
      if ('error' in read) {
        console.error(read.error);
        return 1;
      }
      const json = read.json;
      const base = validateScenario(json);
      try {
        for (const v of varies) checkVaryTarget(json, base.ok ? base.scenario : undefined, v);
      } catch (error) {
        return usage((error as Error).message);
      }
      const options = engineOptionValues(values);
      const blockTrials = blockTrialsFlag(values);
      const built = sweepPoints(out, json, varies, level, (s) => runManifest(s, level, options, blockTrials, null));
      for (const w of built.warnings) console.error(`warning: ${w}`);
      if ('problems' in built) {
        console.error(`mesostp sweep: ${positionals[0]}: points that cannot run (nothing was run; change the --vary values or the scenario):`);
        for (const p of built.problems) console.error(`  ${p}`);
        return 1;
      }
      const points = built.points;
      const first = points[0].scenario;
      const manifest: SweepManifest = {
        format: SWEEP_FORMAT,
        version,
        scenario: first.name,
        scenarioHash: baseScenarioHash(json, varies),
        seed: first.run.seed,
        level,
        options: levelOptions(level, options),
        trials: first.run.trials,
        duration: first.run.duration,
        record: { trials: first.record.trials, keepTrials: first.record.keepTrials ?? null },
        blockTrials: blockTrials ?? null,
        vary: varies,
        points: points.length,
      };
      const units = varies.map((v) => fieldUnit(json, v.path));
      const mine = shardPoints(points, shard);
      const shardText = shard ? `shard ${shard.index}/${shard.count}` : 'the sweep';

      // Refused at once, before a GPU is opened or anything is allocated.
      for (const p of values['table-only'] ? [] : values['dry-run'] ? points : mine) {
        try {
          await checkRunMemory(level, p.scenario, options);
        } catch (error) {
          if (!(error instanceof RecordingMemoryError)) throw error;
          console.error(`mesostp sweep: point ${p.name} (${pointText(varies, p.values)}): ${error.message}`);
          return 1;
        }
      }
      if (values['dry-run']) {
        console.error(
          `${manifest.scenario}: ${points.length} point(s) (${varies.map((v) => `${v.values.length} value(s) of ${v.path}`).join(' × ')}), ${manifest.trials} trial(s) each at ${level}${shard ? `, ${shardText}: ${mine.length} point(s)` : ''}; nothing run (--dry-run)`,
        );
        console.log(
          JSON.stringify({ units: points.length, unitName: 'point', level, scenario: manifest.scenario, trials: manifest.trials, points: points.length }),
        );
        return 0;
      }

      const state = await sweepDirState(out);
      if (values['table-only']) {
        if (state.kind !== 'sweep') {
          console.error(`mesostp sweep: ${out} holds no sweep (no manifest.json of a sweep): run the sweep first (the same arguments without --table-only)`);
          return 1;
        }
        const diff = sweepDifferences(state.manifest, manifest);
        if (diff.length > 0) {
          console.error(
            `mesostp sweep: ${out} holds another sweep (${diff.join('; ').replaceAll(' there,', ` in ${out},`)}): give the arguments of the sweep that ran there`,
          );
          return 1;
        }
        const missing = await missingPoints(points);
        if (missing.length > 0) {
          console.error(
            `mesostp sweep: ${missing.length} of ${points.length} point(s) are not complete in ${out}: ${pointList(missing, varies)}; run the shards that hold them (--shard K/N --resume), or the sweep with --resume, then --table-only again`,
          );
          return 1;
        }
        const figures = await writeTable(out, manifest, varies, units, points);
        console.log(
          `${manifest.scenario}: ${points.length} point(s); wrote ${join(out, 'sweep.csv')}, ${join(out, 'sweep.json')} and ${figures} figure(s) in ${join(out, 'figures')}`,
        );
        return 0;
      }

      const refuse = (text: string) => {
        console.error(`mesostp sweep: ${text}`);
        return 1;
      };
      let replace = false;
      if (state.kind === 'sweep') {
        const diff = sweepDifferences(state.manifest, manifest);
        if (diff.length > 0) {
          if (!values.force)
            return refuse(
              `${out} holds another sweep (${diff.join('; ').replaceAll(' there,', ` in ${out},`)}): choose a new or empty --out, or --force to replace it`,
            );
          replace = true;
        } else if (values.force) replace = true;
        else if (!values.resume) {
          if (shard) {
            const started = mine.filter(pointStarted);
            if (started.length > 0)
              return refuse(`${shardText} of this sweep has run in ${out} already (points ${pointList(started, varies)}): --resume continues it`);
          } else {
            const complete = points.length - (await missingPoints(points)).length;
            return refuse(
              `a sweep of this scenario is in ${out} (${complete} of ${points.length} point(s) complete): --resume continues it, --force starts over`,
            );
          }
        }
      } else if (state.kind === 'run') {
        if (!values.force)
          return refuse(`${out} holds a mesostp run (manifest.json of mesostp run), not a sweep: choose a new or empty --out, or --force to replace it`);
        replace = true;
      } else if (state.kind === 'other') {
        if (!values.force)
          return refuse(
            `${out} holds files that are not a mesostp sweep (no manifest.json of a sweep): choose a new or empty --out, or --force to replace them`,
          );
        replace = true;
      } else if (values.resume) console.error(`nothing to resume in ${out}: starting the sweep`);
      if (replace) {
        if ((await stat(out)).isDirectory()) await emptyDir(out);
        else await rm(out);
      }
      const created = await createSweepManifest(out, manifest);
      if (!created.created) {
        // Another shard was first: it must be this sweep.
        const diff = sweepDifferences(created.existing, manifest);
        if (diff.length > 0) return refuse(`${out} holds another sweep (${diff.join('; ').replaceAll(' there,', ` in ${out},`)}): choose a new or empty --out`);
      }

      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts === 1) {
          process.stderr.write(
            '\nstopping after the current chunk; saved blocks and complete points are kept, --resume continues (Ctrl-C again to quit now)\n',
          );
          controller.abort();
        } else process.exit(130);
      };
      process.on('SIGINT', onSigint);
      let gpu: GpuContext | undefined;
      let progress: ReturnType<typeof progressReporter> | undefined;
      let already = 0;
      try {
        if (engine(level).capabilities.gpu && (await missingPoints(mine)).length > 0) gpu = await requestNodeGpu();
        const result = await runPoints({
          points: mine,
          level,
          options: levelOptions(level, options),
          ctx: { gpu, workerScript },
          signal: controller.signal,
          onPoint: (p, e) => {
            const where = `point ${p.name} (${mine.indexOf(p) + 1} of ${mine.length}${shard ? ` in ${shardText}` : ''}): ${pointText(varies, p.values)}`;
            if (e.kind === 'complete') already++;
            else if (e.kind === 'start') {
              console.error(`${where}${e.savedBlocks > 0 ? `: resuming, ${e.savedBlocks} of ${p.manifest.blocks} block(s) already saved` : ''}`);
              progress = progressReporter(`${level} point ${p.name}`);
            } else {
              progress?.done();
              progress = undefined;
              const rates = Object.entries(e.summary.populations)
                .map(([name, r]) => `${name} ${r.rateHz.toFixed(3)} Hz`)
                .join(', ');
              console.log(`point ${p.name} (${pointText(varies, p.values)}): ${rates}`);
            }
          },
          onProgress: (_p, pr) => progress?.update(pr),
        });
        progress?.done();
        if (result.cancelled) {
          console.log(
            `${manifest.scenario}: ${shardText} cancelled after ${result.ran.length} point(s) run (${already} already complete); saved blocks are kept: --resume continues it`,
          );
          return 130;
        }
        const missing = await missingPoints(points);
        const ranText = `${result.ran.length} point(s) run${already > 0 ? `, ${already} already complete` : ''}`;
        if (missing.length > 0) {
          console.log(
            `${manifest.scenario}: ${shardText}: ${ranText}; ${points.length - missing.length} of ${points.length} point(s) complete in ${out}. The table is written once every point is: by the last shard to finish, or by the same arguments with --table-only`,
          );
          return 0;
        }
        const figures = await writeTable(out, manifest, varies, units, points);
        console.log(
          `${manifest.scenario}: ${shardText}: ${ranText}; every point of ${points.length} complete: wrote ${join(out, 'sweep.csv')}, ${join(out, 'sweep.json')} and ${figures} figure(s) in ${join(out, 'figures')}`,
        );
        return 0;
      } finally {
        gpu?.destroy();
        process.off('SIGINT', onSigint);
      }
    },
  };
}

import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { formatIssue, validateScenario } from '../../model';
import { RecordingMemoryError } from '../../model/recordingMemory';
import {
  allOptions,
  allowedText,
  checkRunMemory,
  engine,
  ENGINE_IDS,
  ENGINES,
  isAllowed,
  isEngineId,
  refusedValue,
  VARIANTS,
  variantCliArgs,
  type OptionValues,
} from '../../engines';
import { writeRecording } from '../../io/recordingFiles';
import {
  canonicalJson,
  defaultBlockTrials,
  emptyDir,
  manifestDifferences,
  MANIFEST_FORMAT,
  type Manifest,
  listBlocks,
  outState,
  parseShard,
  scenarioHash,
  writeManifest,
} from '../../io/checkpoint';
import { runBlocks, withdrawOutput } from '../../io/blockedRun';
import { version } from '../../version';
import { rm, stat } from 'node:fs/promises';
import { progressReporter } from '../progress';
import { numberOption, withRunOverrides } from '../runOverrides';
import { readScenarioFile } from '../readScenarioFile';
import { requestNodeGpu } from '../../gpu/node';
import type { GpuContext } from '../../gpu/device';

/** The engine `mesostp run` uses without --level. */
const DEFAULT_LEVEL = 'micro-cpu';

/** Every engine option is a flag; the engines that take it are named in the help. */
const OPTIONS = allOptions();

const flag = (name: string, text: string) => `  ${name.padEnd(15)} ${text}`;
const optionHelp = OPTIONS.map(({ spec, engines }) =>
  flag(`--${spec.name} ${spec.metavar}`, `${engines.join(', ')}: ${spec.description}: ${allowedText(spec)} (default ${spec.default})`),
);

const help = `mesostp run <scenario.json> --out DIR [options]

Simulates a scenario and writes DIR/summary.json plus every recorded array as a .npy file
(numpy.load reads them), and each array's per-bin trial mean and M2 (*_trialmean.npy,
*_trialm2.npy). Ctrl-C stops the run at the next chunk of steps and still writes what was
computed (summary.json says cancelled: true); a second Ctrl-C quits at once. A run whose
recording would not fit in memory is refused before it starts, with what would fit.

The trials run in blocks (--block-trials), each saved in DIR/blocks/ as soon as it completes,
next to DIR/manifest.json: a run that was killed continues with --resume and ends with the same
bytes as an uninterrupted one. --shard K/N runs every N-th block only (mesostp merge combines
the shards). DIR must be new or empty, or hold this run (--resume); --force replaces it.

Options:
${flag('--level L', `engine: ${ENGINE_IDS.join(', ')} (default ${DEFAULT_LEVEL})`)}
${flag('--trials B', 'override run.trials')}
${flag('--duration T', 'override run.duration (s)')}
${flag('--seed S', 'override run.seed')}
${flag('--record R', "trials: keep every trial's arrays; stats: per-bin trial means and variances, memory")}
${flag('', 'independent of the trials (overrides record.trials, "all" or "stats")')}
${flag('--keep-trials K', 'with --record stats: the first K trials keep their arrays (record.keepTrials)')}
${optionHelp.join('\n')}
${flag('--out DIR', 'output folder (required): new or empty, or this run with --resume')}
${flag('--resume', 'continue the run in DIR: the saved blocks are kept, the others run')}
${flag('--force', 'empty DIR first, whatever it holds (nothing is ever replaced without it)')}
${flag('--block-trials B', 'trials per saved block (default ceil(trials / 16), at least --threads, at least 256')}
${flag('', 'on micro-gpu): fewer lose less at a crash,')}
${flag('', 'more pay the engine set-up fewer times; one trial is one block (not saved mid-way)')}
${flag('--shard K/N', 'run only the blocks b with b mod N = K − 1 (1 ≤ K ≤ N); mesostp merge combines them')}

Engines:
${ENGINES.map((e) => `  ${e.id.padEnd(14)} ${e.description}`).join('\n')}

The named variants of mesostp validate and mesostp bench, as options of this command:
${VARIANTS.map((v) => `  ${v.id.padEnd(14)} ${variantCliArgs(v.id).join(' ')}`).join('\n')}`;

/**
 * Makes `out` ready for the run of `manifest`: returns how many of its blocks are saved already
 * (0 for a new run), or why the folder is refused (a sentence that names the fix).
 */
async function prepareOut(out: string, manifest: Manifest, o: { resume: boolean; force: boolean }): Promise<{ resumed: number } | string> {
  const state = await outState(out);
  if (state.kind === 'run') {
    const diff = manifestDifferences(state.manifest, manifest);
    const sameShard = canonicalJson(state.manifest.shard) === canonicalJson(manifest.shard);
    const saved = (await listBlocks(out)).length;
    if (diff.length === 0 && sameShard && o.resume) {
      await withdrawOutput(out);
      return { resumed: saved };
    }
    if (!o.force) {
      if (diff.length > 0)
        return `${out} holds another run (${diff.join('; ').replaceAll(' there,', ` in ${out},`)}): choose a new or empty --out, or --force to replace it`;
      const shardText = (s: Manifest['shard']) => (s ? `shard ${s.index}/${s.count}` : 'every block');
      if (!sameShard)
        return `${out} holds ${shardText(state.manifest.shard)} of this run, not ${shardText(manifest.shard)}: run that with --resume, choose another --out, or --force to start over`;
      return `a run of this scenario is in ${out} (${saved} of ${manifest.blocks} block(s) saved): --resume continues it, --force starts over`;
    }
  } else if (state.kind === 'other' && !o.force)
    return `${out} holds files that are not a mesostp run (no manifest.json): choose a new or empty --out, or --force to replace them`;
  if (o.force && state.kind !== 'empty') {
    if ((await stat(out)).isDirectory()) await emptyDir(out);
    else await rm(out);
  }
  if (o.resume) console.error(`nothing to resume in ${out}: starting the run`);
  return { resumed: 0 };
}

export function runCommandFactory(workerScript?: URL): Command {
  return {
    name: 'run',
    summary: 'simulate a scenario and write summary.json and .npy arrays',
    help,
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          level: { type: 'string', default: DEFAULT_LEVEL },
          trials: { type: 'string' },
          duration: { type: 'string' },
          seed: { type: 'string' },
          record: { type: 'string' },
          'keep-trials': { type: 'string' },
          ...Object.fromEntries(OPTIONS.map(({ spec }) => [spec.name, { type: 'string', default: String(spec.default) } as const])),
          out: { type: 'string' },
          resume: { type: 'boolean', default: false },
          force: { type: 'boolean', default: false },
          'block-trials': { type: 'string' },
          shard: { type: 'string' },
        },
      });
      const optionText = values as unknown as Record<string, string | undefined>;
      if (positionals.length !== 1 || !values.out) {
        console.error(`mesostp run: expected one scenario file and --out DIR.\n\n${help}`);
        return 2;
      }
      const level = values.level!;
      if (!isEngineId(level)) {
        console.error(`mesostp run: --level ${level} is not available; choose one of ${ENGINE_IDS.join(', ')}`);
        return 2;
      }
      for (const { spec } of OPTIONS) {
        const value = optionText[spec.name]!;
        if (spec.values && !isAllowed(spec, value)) {
          console.error(`mesostp run: ${refusedValue(spec, value)}`);
          return 2;
        }
      }
      const record = values.record;
      if (record !== undefined && record !== 'stats' && record !== 'trials') {
        console.error(`mesostp run: --record ${record} is not a recording mode; choose trials (every trial's arrays) or stats (per-bin statistics)`);
        return 2;
      }
      const parsed = await readScenarioFile(positionals[0]);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        console.error(`${positionals[0]}: a scenario is a JSON object with populations, projections, run and record`);
        return 1;
      }
      const json = withRunOverrides(parsed as Record<string, unknown>, values);
      const keepTrials = numberOption('keep-trials', values['keep-trials'], true);
      if (record !== undefined || keepTrials !== undefined) {
        json.record = { ...json.record };
        if (record !== undefined) json.record.trials = record === 'stats' ? 'stats' : 'all';
        if (keepTrials !== undefined) json.record.keepTrials = keepTrials;
      }
      const checked = validateScenario(json);
      for (const w of checked.warnings) console.error(`warning: ${formatIssue(w)}`);
      if (!checked.ok) {
        console.error(`${positionals[0]}: ${checked.errors.length} problem(s):`);
        for (const e of checked.errors) console.error(`  ${formatIssue(e)}`);
        return 1;
      }
      // The engines' options as run() takes them: choices as given, integers parsed ("auto": one per core).
      const options: OptionValues = {};
      for (const { spec } of OPTIONS) {
        const text = optionText[spec.name]!;
        if (!spec.integer) options[spec.name] = text;
        else {
          const n = spec.integer.auto && text === 'auto' ? cpus().length : numberOption(spec.name, text, true)!;
          if (n < spec.integer.min) throw new Error(`--${spec.name} must be ≥ ${spec.integer.min}, got ${n}`);
          options[spec.name] = n;
        }
      }

      const scenario = checked.scenario;
      const blockTrials =
        numberOption('block-trials', values['block-trials'], true) ??
        defaultBlockTrials(scenario.run.trials, level, typeof options.threads === 'number' ? options.threads : 1);
      if (blockTrials < 1) throw new Error(`--block-trials must be ≥ 1, got ${blockTrials}`);
      const shard = values.shard === undefined ? null : parseShard(values.shard);
      const engineOptions = Object.fromEntries(
        engine(level)
          .options.map((o) => o.name)
          .filter((name) => options[name] !== undefined)
          .sort()
          .map((name) => [name, options[name]!]),
      );
      const manifest: Manifest = {
        format: MANIFEST_FORMAT,
        version,
        scenarioHash: scenarioHash(scenario),
        scenario: scenario.name,
        seed: scenario.run.seed,
        level,
        options: engineOptions,
        trials: scenario.run.trials,
        blockTrials,
        blocks: Math.ceil(scenario.run.trials / blockTrials),
        shard,
      };
      const out = values.out;
      const prepared = await prepareOut(out, manifest, { resume: values.resume!, force: values.force! });
      if (typeof prepared === 'string') {
        console.error(`mesostp run: ${prepared}`);
        return 1;
      }

      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts === 1) {
          process.stderr.write('\nstopping after the current chunk; the results so far will be written (Ctrl-C again to quit now)\n');
          controller.abort();
        } else process.exit(130);
      };
      process.on('SIGINT', onSigint);
      const progress = progressReporter(`${level}`);
      let gpu: GpuContext | undefined;
      try {
        // Refused at once, before a GPU is opened or anything is allocated.
        try {
          await checkRunMemory(level, checked.scenario, options);
        } catch (error) {
          if (!(error instanceof RecordingMemoryError)) throw error;
          console.error(`mesostp run: ${error.message}`);
          return 1;
        }
        if (engine(level).capabilities.gpu) gpu = await requestNodeGpu();
        if (prepared.resumed > 0) console.error(`resuming ${out}: ${prepared.resumed} of ${manifest.blocks} block(s) already saved`);
        else await writeManifest(out, manifest);
        const result = await runBlocks({
          dir: out,
          manifest,
          scenario,
          level,
          options: engineOptions,
          ctx: { gpu, workerScript },
          signal: controller.signal,
          onProgress: (p) => progress.update(p),
        });
        progress.done();
        const recording = result.recording;
        if (!recording) {
          const what = shard ? `shard ${shard.index}/${shard.count}` : 'the run';
          console.log(
            `${scenario.name}: ${what}: ${result.ran.length} block(s) run, ${manifest.blocks - result.missing.length} of ${manifest.blocks} saved in ${out}/blocks${
              controller.signal.aborted ? ' (cancelled: --resume continues it)' : ''
            }${shard && !controller.signal.aborted ? '; mesostp merge OUT DIR… combines the shards' : ''}`,
          );
          return controller.signal.aborted ? 130 : 0;
        }
        // Linux reports the peak resident set in KiB: the most host memory this run held at once.
        recording.engine.peakHostBytes = process.resourceUsage().maxRSS * 1024;
        const summary = await writeRecording(recording, out);
        const rows = Object.entries(summary.populations).map(
          ([name, p]) => `  ${name.padEnd(12)} rate ${p.rateHz.toFixed(3)} Hz ± ${p.rateHzSem === null ? 'n/a' : p.rateHzSem.toFixed(3)} (s.e.)`,
        );
        for (const [name, i] of Object.entries(summary.inputs))
          rows.push(
            `  ${name.padEnd(12)} input mean ${i.mean.toFixed(4)} mV, ${Number.isFinite(i.sd) ? `s.d. across trials ${i.sd.toFixed(4)} mV` : 'no s.d. across trials (one trial)'}`,
          );
        const kept = summary.record.trials === 'stats' ? `, statistics over trials (arrays of ${summary.record.keptTrials} kept)` : '';
        console.log(
          `${summary.scenario}: ${summary.trials} trial(s) × ${summary.completedDuration} s at ${level}${kept} in ${summary.wallSeconds.toFixed(2)} s${summary.cancelled ? ' (cancelled: partial results)' : ''}`,
        );
        console.log(rows.join('\n'));
        console.log(`wrote ${out}/summary.json and ${Object.keys(summary.files).length} .npy file(s)`);
        return summary.cancelled ? 130 : 0;
      } finally {
        gpu?.destroy();
        process.off('SIGINT', onSigint);
      }
    },
  };
}

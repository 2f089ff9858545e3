import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { formatIssue, validateScenario } from '../../model';
import { RecordingMemoryError } from '../../model/recordingMemory';
import { checkRunMemory, engine, ENGINES, VARIANTS, variantCliArgs } from '../../engines';
import { writeRecording } from '../../io/recordingFiles';
import { parseShard, writeManifest } from '../../io/checkpoint';
import { runBlocks } from '../../io/blockedRun';
import { progressReporter } from '../progress';
import { prepareOut } from '../../io/prepareOut';
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
import { requestNodeGpu } from '../../gpu/node';
import type { GpuContext } from '../../gpu/device';

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
${scenarioFlagHelp}
${flag('--out DIR', 'output folder (required): new or empty, or this run with --resume')}
${flag('--resume', 'continue the run in DIR: the saved blocks are kept, the others run')}
${flag('--force', 'empty DIR first, whatever it holds (nothing is ever replaced without it)')}
${blockTrialsHelp}
${flag('--shard K/N', 'run only the blocks b with b mod N = K − 1 (1 ≤ K ≤ N); mesostp merge combines them')}
${flag('--dry-run', 'check everything (scenario, options, memory), print the plan as one JSON line, run')}
${flag('', 'nothing and leave DIR as it is (mesostp slurm checks its tasks this way)')}

Engines:
${ENGINES.map((e) => `  ${e.id.padEnd(14)} ${e.description}`).join('\n')}

The named variants of mesostp validate and mesostp bench, as options of this command:
${VARIANTS.map((v) => `  ${v.id.padEnd(14)} ${variantCliArgs(v.id).join(' ')}`).join('\n')}`;

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
          ...RUN_FLAGS,
          out: { type: 'string' },
          resume: { type: 'boolean', default: false },
          force: { type: 'boolean', default: false },
          shard: { type: 'string' },
          'dry-run': { type: 'boolean', default: false },
        },
      });
      if (positionals.length !== 1 || !values.out) {
        console.error(`mesostp run: expected one scenario file and --out DIR.\n\n${help}`);
        return 2;
      }
      const flags = checkRunFlags('mesostp run', values);
      if ('error' in flags) {
        console.error(flags.error);
        return 2;
      }
      const level = flags.level;
      const read = await readRunScenario(positionals[0], values);
      if ('error' in read) {
        console.error(read.error);
        return 1;
      }
      const checked = validateScenario(read.json);
      for (const w of checked.warnings) console.error(`warning: ${formatIssue(w)}`);
      if (!checked.ok) {
        console.error(`${positionals[0]}: ${checked.errors.length} problem(s):`);
        for (const e of checked.errors) console.error(`  ${formatIssue(e)}`);
        return 1;
      }
      const options = engineOptionValues(values);
      const scenario = checked.scenario;
      const shard = values.shard === undefined ? null : parseShard(values.shard);
      const manifest = runManifest(scenario, level, options, blockTrialsFlag(values), shard);
      const { blockTrials } = manifest;
      const engineOptions = levelOptions(level, options);
      const out = values.out;
      if (values['dry-run']) {
        try {
          await checkRunMemory(level, scenario, options);
        } catch (error) {
          if (!(error instanceof RecordingMemoryError)) throw error;
          console.error(`mesostp run: ${error.message}`);
          return 1;
        }
        const shardText = shard ? `, shard ${shard.index}/${shard.count}` : '';
        console.error(
          `${scenario.name}: ${manifest.trials} trial(s) in ${manifest.blocks} block(s) of ${blockTrials} at ${level}${shardText}; nothing run (--dry-run)`,
        );
        console.log(JSON.stringify({ units: manifest.blocks, unitName: 'block', level, scenario: scenario.name, trials: manifest.trials, blockTrials }));
        return 0;
      }
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
        // meso and macro say which STP mean-field ran: the default (age) is not the paper's MF2.
        const meanField = recording.engine.stpMeanField;
        const stpText = typeof meanField === 'string' ? ` (STP mean-field ${meanField})` : '';
        console.log(
          `${summary.scenario}: ${summary.trials} trial(s) × ${summary.completedDuration} s at ${level}${stpText}${kept} in ${summary.wallSeconds.toFixed(2)} s${summary.cancelled ? ' (cancelled: partial results)' : ''}`,
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

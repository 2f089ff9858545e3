import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { formatIssue, validateScenario, type Level } from '../../model';
import { AVAILABLE_LEVELS, run } from '../../run';
import { writeRecording } from '../../io/recordingFiles';
import { progressReporter } from '../progress';
import { readScenarioFile } from '../readScenarioFile';
import { requestNodeGpu } from '../../gpu/node';
import type { GpuContext } from '../../gpu/device';

const help = `mesostp run <scenario.json> --out DIR [options]

Simulates a scenario and writes DIR/summary.json plus every recorded array as a .npy file
(numpy.load reads them). Ctrl-C stops the run at the next chunk of steps and still writes
what was computed (summary.json says cancelled: true); a second Ctrl-C quits at once.

Options:
  --level L       engine: ${AVAILABLE_LEVELS.join(', ')} (default micro-cpu)
  --trials B      override run.trials
  --duration T    override run.duration (s)
  --seed S        override run.seed
  --stp MODE      meso, macro: STP mean-field mf1, mf2 (default) or age (age-resolved, docs/meso.md)
  --moments M     meso: STP second moments driven by the expected (default) or realised activity
  --threads K     micro-cpu: worker threads for the trials (default 1; "auto" = one per core)
  --out DIR       output folder (required)`;

function numberOption(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'}, got "${value}"`);
  return n;
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
          level: { type: 'string', default: 'micro-cpu' },
          trials: { type: 'string' },
          duration: { type: 'string' },
          seed: { type: 'string' },
          threads: { type: 'string', default: '1' },
          stp: { type: 'string', default: 'mf2' },
          moments: { type: 'string', default: 'expected' },
          out: { type: 'string' },
        },
      });
      if (positionals.length !== 1 || !values.out) {
        console.error(`mesostp run: expected one scenario file and --out DIR.\n\n${help}`);
        return 2;
      }
      const level = values.level as Level;
      if (!(AVAILABLE_LEVELS as readonly string[]).includes(level)) {
        console.error(`mesostp run: --level ${level} is not available; choose one of ${AVAILABLE_LEVELS.join(', ')}`);
        return 2;
      }
      if (values.stp !== 'mf1' && values.stp !== 'mf2' && values.stp !== 'age') {
        console.error(`mesostp run: --stp ${values.stp} is not a mean-field order; choose mf1, mf2 or age`);
        return 2;
      }
      if (values.moments !== 'expected' && values.moments !== 'realised') {
        console.error(`mesostp run: --moments ${values.moments}: choose expected or realised`);
        return 2;
      }
      const parsed = await readScenarioFile(positionals[0]);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        console.error(`${positionals[0]}: a scenario is a JSON object with populations, projections, run and record`);
        return 1;
      }
      const json = parsed as Record<string, any>;
      json.run = { ...json.run };
      const trials = numberOption('trials', values.trials, true);
      const duration = numberOption('duration', values.duration, false);
      const seed = numberOption('seed', values.seed, true);
      if (trials !== undefined) json.run.trials = trials;
      if (duration !== undefined) json.run.duration = duration;
      if (seed !== undefined) json.run.seed = seed;
      const checked = validateScenario(json);
      for (const w of checked.warnings) console.error(`warning: ${formatIssue(w)}`);
      if (!checked.ok) {
        console.error(`${positionals[0]}: ${checked.errors.length} problem(s):`);
        for (const e of checked.errors) console.error(`  ${formatIssue(e)}`);
        return 1;
      }
      const threads = values.threads === 'auto' ? cpus().length : numberOption('threads', values.threads, true)!;
      if (threads < 1) throw new Error(`--threads must be ≥ 1, got ${threads}`);

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
        if (level === 'micro-gpu') gpu = await requestNodeGpu();
        const recording = await run(checked.scenario, { level, threads, gpu, stp: values.stp, moments: values.moments, workerScript, signal: controller.signal, onProgress: (p) => progress.update(p) });
        progress.done();
        // Linux reports the peak resident set in KiB: the most host memory this run held at once.
        recording.engine.peakHostBytes = process.resourceUsage().maxRSS * 1024;
        const summary = await writeRecording(recording, values.out);
        const rows = Object.entries(summary.populations).map(
          ([name, p]) => `  ${name.padEnd(12)} rate ${p.rateHz.toFixed(3)} Hz ± ${p.rateHzSem === null ? 'n/a' : p.rateHzSem.toFixed(3)} (s.e.)`,
        );
        for (const [name, i] of Object.entries(summary.inputs)) rows.push(`  ${name.padEnd(12)} input mean ${i.mean.toFixed(4)} mV, ${Number.isFinite(i.sd) ? `s.d. across trials ${i.sd.toFixed(4)} mV` : 'no s.d. across trials (one trial)'}`);
        console.log(
          `${summary.scenario}: ${summary.trials} trial(s) × ${summary.completedDuration} s at ${level} in ${summary.wallSeconds.toFixed(2)} s${summary.cancelled ? ' (cancelled: partial results)' : ''}`,
        );
        console.log(rows.join('\n'));
        console.log(`wrote ${values.out}/summary.json and ${Object.keys(summary.files).length} .npy file(s)`);
        return summary.cancelled ? 130 : 0;
      } finally {
        gpu?.destroy();
        process.off('SIGINT', onSigint);
      }
    },
  };
}

import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { describeAdapter, type GpuContext } from '../../gpu/device';
import { requestNodeGpu } from '../../gpu/node';
import { runV2Set, V2_PSD_WINDOW, V2_SETS, V2_SIZES, type V2SetResult } from '../../validation/v2';
import { terminalTable, writeV2Report } from '../../validation/report';
import { progressReporter } from '../progress';

const help = `mesostp validate [v2] [--quick | --full] [--out DIR]

Runs a validation experiment of ../shared/VALIDATION.md and writes a report (markdown with SVG
figures) and summary.json (every metric with its uncertainty, target and pass/fail) to DIR.

  v2        feedforward STP: micro (GPU, the reference; CPU, a second witness) against meso MF2
            and MF1, for a depressing and a facilitating synapse (the default experiment)

Options:
  --quick   the size of the main job: a few minutes on a 2-core machine without a GPU (default)
  --full    the size of docs/validation/ (about ten times the trials; tens of minutes)
  --trials G,C,M   override the trials of micro-gpu, micro-cpu and meso
  --out DIR output folder (default out/validation/<experiment>)`;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'run a validation experiment (V2) and write its report',
  help,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { quick: { type: 'boolean' }, full: { type: 'boolean' }, trials: { type: 'string' }, out: { type: 'string' } },
    });
    const experiment = positionals[0] ?? 'v2';
    if (experiment !== 'v2' || positionals.length > 1) {
      console.error(`mesostp validate: "${positionals.join(' ')}" is not an experiment of this version; available: v2\n\n${help}`);
      return 2;
    }
    if (values.quick && values.full) {
      console.error('mesostp validate: choose --quick or --full, not both');
      return 2;
    }
    const sizes = { ...V2_SIZES[values.full ? 'full' : 'quick'] };
    if (values.trials !== undefined) {
      const t = values.trials.split(',').map(Number);
      if (t.length !== 3 || !t.every((v) => Number.isInteger(v) && v >= 2)) {
        console.error(`mesostp validate: --trials takes three integers ≥ 2 (micro-gpu,micro-cpu,meso), got "${values.trials}"`);
        return 2;
      }
      [sizes.gpuTrials, sizes.cpuTrials, sizes.mesoTrials] = t;
    }
    const out = values.out ?? `out/validation/${experiment}`;
    const controller = new AbortController();
    const onSigint = () => {
      process.stderr.write('\nstopping the validation (its partial runs are not a result)\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    let gpu: GpuContext | undefined;
    try {
      gpu = await requestNodeGpu();
      console.log(`V2: feedforward STP; micro-gpu ${sizes.gpuTrials} trials on ${describeAdapter(gpu.summary)}, micro-cpu ${sizes.cpuTrials}, meso ${sizes.mesoTrials}`);
      const results: V2SetResult[] = [];
      for (const set of V2_SETS) {
        let stage = '';
        let reporter = progressReporter('');
        results.push(
          await runV2Set(set, {
            gpu,
            sizes,
            signal: controller.signal,
            onProgress: (name, p) => {
              if (name !== stage) {
                if (stage) reporter.done();
                stage = name;
                reporter = progressReporter(name);
              }
              reporter.update(p);
            },
          }),
        );
        reporter.done();
      }
      const command = `mesostp validate ${experiment} ${values.full ? '--full' : '--quick'}${values.trials ? ` --trials ${values.trials}` : ''}`;
      const files = await writeV2Report(out, { experiment, command, adapter: describeAdapter(gpu.summary), date: new Date().toISOString().slice(0, 10), sizes: { ...sizes, psdFrom: V2_PSD_WINDOW[0], psdTo: V2_PSD_WINDOW[1] } }, results);
      console.log('');
      console.log(terminalTable(results));
      console.log('');
      console.log('Relative distances from micro-gpu, noise floor removed, ± standard error; ⁽ᵘ⁾ unresolved at this size.');
      const mf2 = results.flatMap((r) => r.metrics).filter((m) => m.level === 'mf2');
      const failed = mf2.filter((m) => m.clearFail).length;
      const undecided = mf2.filter((m) => !m.pass && !m.clearFail).length;
      console.log(`MF2: ${mf2.length - failed - undecided} of ${mf2.length} targets met, ${failed} missed, ${undecided} not decided at this size. Report: ${files.markdown} (and ${files.json})`);
      return 0;
    } finally {
      gpu?.destroy();
      process.off('SIGINT', onSigint);
    }
  },
};

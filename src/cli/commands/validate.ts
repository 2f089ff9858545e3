import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { describeAdapter, type GpuContext } from '../../gpu/device';
import { requestNodeGpu } from '../../gpu/node';
import { EXPERIMENTS, type Experiment, TRIAL_KEYS } from '../../validation/experiments';
import { terminalTable, verdictLine, writeReport, type SetResult } from '../../validation/report';
import { rerenderFigures } from '../../validation/rerenderFigures';
import { progressReporter } from '../progress';

const help = `mesostp validate [EXPERIMENT ...] [--quick | --full] [--out DIR]
mesostp validate --report DIR

Runs validation experiments of docs/validation/plan.md and writes, per experiment, a report
(markdown with SVG figures) and summary.json (every metric with its uncertainty, target and
pass/fail) to DIR/<experiment>.

Experiments (default: v2, the main job; "all" runs every one):
${EXPERIMENTS.map((e) => `  ${e.name.padEnd(5)}${e.summary}`).join('\n')}

The engine variants each runs, the reference first (\`mesostp run --help\` gives their options):
${EXPERIMENTS.map((e) => `  ${e.name.padEnd(5)}${e.variants.join(', ')}`).join('\n')}

Options:
  --quick   a few minutes on a 2-core machine without a GPU (default)
  --full    the size of docs/validation/ (tens of minutes)
  --trials G,C,M   override the trials of micro-gpu, micro-cpu and meso (C is ignored by
              experiments without micro-cpu: v7)
  --out DIR output folder (default out/validation)
  --report DIR  draw the figures of written reports again (DIR: one report, or a folder of
              them such as docs/validation) from the numbers beside each (figures/NAME.json);
              nothing is run`;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'run validation experiments (V2–V7) and write their reports',
  help,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { quick: { type: 'boolean' }, full: { type: 'boolean' }, trials: { type: 'string' }, out: { type: 'string' }, report: { type: 'string' } },
    });
    if (values.report !== undefined) {
      const r = await rerenderFigures(values.report);
      console.log(`drew ${r.drawn.length} figure(s) again under ${values.report}`);
      if (r.withoutData.length > 0)
        console.log(`left as they are, without their numbers (written before reports kept them; rerun the experiment): ${r.withoutData.join(', ')}`);
      return 0;
    }
    const names = positionals.length === 0 ? ['v2'] : positionals.includes('all') ? EXPERIMENTS.map((e) => e.name) : positionals;
    const unknown = names.filter((n) => !EXPERIMENTS.some((e) => e.name === n));
    if (unknown.length > 0) {
      console.error(
        `mesostp validate: "${unknown.join(' ')}" is not an experiment of this version; available: ${EXPERIMENTS.map((e) => e.name).join(', ')}, all\n\n${help}`,
      );
      return 2;
    }
    if (values.quick && values.full) {
      console.error('mesostp validate: choose --quick or --full, not both');
      return 2;
    }
    let trials: number[] | undefined;
    if (values.trials !== undefined) {
      trials = values.trials.split(',').map(Number);
      if (trials.length !== 3 || !trials.every((v) => Number.isInteger(v) && v >= 2)) {
        console.error(`mesostp validate: --trials takes three integers ≥ 2 (micro-gpu,micro-cpu,meso), got "${values.trials}"`);
        return 2;
      }
    }
    const outRoot = values.out ?? 'out/validation';
    const controller = new AbortController();
    const onSigint = () => {
      process.stderr.write('\nstopping the validation (its partial runs are not a result)\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    let gpu: GpuContext | undefined;
    try {
      gpu = await requestNodeGpu();
      for (const name of names) {
        const e = EXPERIMENTS.find((x) => x.name === name)!;
        await runExperiment(e, gpu, values.full ? 'full' : 'quick', trials, values.out, `${outRoot}/${e.name}`, controller.signal);
      }
      return 0;
    } finally {
      gpu?.destroy();
      process.off('SIGINT', onSigint);
    }
  },
};

async function runExperiment(
  e: Experiment,
  gpu: GpuContext,
  size: 'quick' | 'full',
  trials: number[] | undefined,
  outOption: string | undefined,
  out: string,
  signal: AbortSignal,
): Promise<void> {
  const sizes = { ...e.sizes[size] };
  // V7 runs no micro-cpu: a --trials value for a level an experiment does not run is not a size of it.
  trials?.forEach((t, i) => {
    if (TRIAL_KEYS[i] in sizes) sizes[TRIAL_KEYS[i]] = t;
  });
  console.log(
    `${e.report.title}; ${Object.entries(sizes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; micro-gpu on ${describeAdapter(gpu.summary)}`,
  );
  const results: SetResult[] = [];
  for (const set of size === 'quick' && e.quickSets ? e.quickSets : e.sets) {
    let stage = '';
    let reporter = progressReporter('');
    results.push(
      await e.runSet(set, sizes, {
        gpu,
        signal,
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
  const command = `mesostp validate ${e.name} --${size}${trials ? ` --trials ${trials.join(',')}` : ''}${outOption ? ` --out ${outOption}` : ''}`;
  const files = await writeReport(
    out,
    e.report,
    { command, adapter: describeAdapter(gpu.summary), date: new Date().toISOString().slice(0, 10), sizes },
    results,
  );
  console.log('');
  console.log(terminalTable(e.report, results));
  console.log('');
  console.log('Relative distances from micro-gpu (V2: noise floor removed), ± standard error; ⁽ᵘ⁾ unresolved at this size.');
  console.log(`${verdictLine(e.report, results)}. Report: ${files.markdown} (and ${files.json})`);
  console.log('');
}

import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { compareRuns, formatComparison } from '../../analysis/compareRuns';
import { readRunFolders } from '../../io/runFolder';

const help = `mesostp compare <runA> <runB> [--alpha A] [--json FILE]

Compares two run folders written by \`mesostp run\` (any level: micro-gpu, micro-cpu, meso,
macro; or any simulator that writes the same summary.json and .npy files) and says whether
they agree:
  - every summary quantity (population rates, input means, STP variables): B − A with its
    standard error √(se_A² + se_B²); a quantity differs when |B − A| exceeds the Bonferroni
    bound for α over all of them;
  - every recorded time course (per-bin trial means of activity, input population means and
    STP variables; needs ≥ 2 trials in each run): bin by bin, B − A over its standard error;
    a course differs when its largest |z| exceeds the Bonferroni bound for α over every bin
    of every course (valid however correlated neighbouring bins are).
Runs of different scenarios, time steps or durations are compared with a note.

Options:
  --alpha A    the chance of any false "differ" (default 0.01)
  --json FILE  also write the comparison as JSON

Exit status: 0 when the runs agree, 1 when they differ, 2 on a usage or file error.`;

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare two runs (any levels) quantity by quantity, with standard errors and a verdict',
  help,
  async run(args) {
    let values: { alpha?: string; json?: string };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({ args, options: { alpha: { type: 'string' }, json: { type: 'string' } }, allowPositionals: true, strict: true }));
    } catch (error) {
      console.error(`mesostp compare: ${(error as Error).message}\n\n${help}`);
      return 2;
    }
    if (positionals.length !== 2) {
      console.error(`mesostp compare: expected two run folders, got ${positionals.length}.\n\n${help}`);
      return 2;
    }
    const alpha = values.alpha === undefined ? 0.01 : Number(values.alpha);
    if (!(alpha > 0 && alpha < 1)) {
      console.error(`mesostp compare: --alpha ${values.alpha} must be a number in (0, 1), e.g. --alpha 0.01`);
      return 2;
    }
    const [dirA, dirB] = positionals;
    try {
      const {
        summaries: [a, b],
        read,
      } = readRunFolders(dirA, dirB);
      const c = compareRuns(a, b, read, { alpha });
      console.log(formatComparison(c, [`${dirA} (${a.level}, ${a.trials} trial(s))`, `${dirB} (${b.level}, ${b.trials} trial(s))`]));
      if (values.json) await writeFile(values.json, `${JSON.stringify({ a: dirA, b: dirB, ...c }, null, 2)}\n`);
      return c.verdict === 'agree' ? 0 : 1;
    } catch (error) {
      console.error(`mesostp compare: ${(error as Error).message}`);
      return 2;
    }
  },
};

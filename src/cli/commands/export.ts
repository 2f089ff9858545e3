import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { readScenarioFile } from '../readScenarioFile';
import { formatIssue, validateScenario } from '../../model';
import { Brian2ExportError } from '../../export/brian2';
import { writeBrian2Export } from '../../export/writeBrian2';
import { withRunOverrides } from '../runOverrides';

const help = `mesostp export brian2 <scenario.json> [--out model.py] [options]

Writes the scenario as a runnable Brian2 script (default model.py) and, beside it, a data
folder (model_data/) with the synapse lists and per-synapse parameters mesostp draws for it,
so that Brian2 runs the very same network. Run the script with
  python3 model.py --out RUN [--target numpy|cython|cpp_standalone]
It writes summary.json and the .npy arrays as \`mesostp run --out RUN\` does; compare with
  mesostp compare RUN MESOSTP_RUN
docs/brian2-export.md says how each part of the model is translated. What the export cannot
express is refused with the field named.

Options:
  --out FILE            the script to write (default model.py)
  --integration MODE    held or exact (default: the scenario's run.integration)
  --trials B            override run.trials
  --duration T          override run.duration (s)
  --seed S              override run.seed (the connectivity and the script's default seed)`;

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a scenario as a runnable Brian2 script (export brian2)',
  help,
  async run(args) {
    let values: Record<string, string | undefined>;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          out: { type: 'string' },
          integration: { type: 'string' },
          trials: { type: 'string' },
          duration: { type: 'string' },
          seed: { type: 'string' },
        },
      }));
    } catch (error) {
      console.error(`mesostp export: ${(error as Error).message}\n\n${help}`);
      return 2;
    }
    if (positionals[0] !== 'brian2' || positionals.length !== 2) {
      console.error(`mesostp export: expected \`export brian2 <scenario.json>\` (Brian2 is the one simulator exported to).\n\n${help}`);
      return 2;
    }
    const integration = values.integration;
    if (integration !== undefined && integration !== 'held' && integration !== 'exact') {
      console.error(`mesostp export: --integration ${integration} is not a mode; choose held or exact`);
      return 2;
    }
    const file = positionals[1];
    try {
      const parsed = await readScenarioFile(file);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file}: a scenario is a JSON object`);
      const checked = validateScenario(withRunOverrides(parsed as Record<string, unknown>, values));
      for (const w of checked.warnings) console.error(`warning: ${formatIssue(w)}`);
      if (!checked.ok) {
        console.error(`${file}: ${checked.errors.length} problem(s):`);
        for (const e of checked.errors) console.error(`  ${formatIssue(e)}`);
        return 1;
      }
      const out = values.out ?? 'model.py';
      const written = await writeBrian2Export(checked.scenario, out, { integration });
      console.log(`wrote ${written.script} and ${written.dataDir}/; run: python3 ${written.script} --out RUN_FOLDER`);
      return 0;
    } catch (error) {
      if (error instanceof Brian2ExportError) {
        console.error(`mesostp export brian2: ${error.message}`);
        return 1;
      }
      console.error(`mesostp export: ${(error as Error).message}`);
      return 1;
    }
  },
};

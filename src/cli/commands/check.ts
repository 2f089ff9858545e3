import { parseArgs } from 'node:util';
import { readScenarioFile } from '../readScenarioFile';
import type { Command } from '../command';
import { describeScenario, formatIssue, validateScenario } from '../../model';

const help = `mesostp check <scenario.json>

Validates a scenario. Prints every problem (the field, what is wrong, what is allowed) and
exits 1, or prints a one-paragraph description of the network and exits 0. Warnings are
printed either way.`;

export const checkCommand: Command = {
  name: 'check',
  summary: 'validate a scenario file and describe the network',
  help,
  async run(args) {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
    if (positionals.length !== 1) {
      console.error(`mesostp check: expected one scenario file, got ${positionals.length}.\n\n${help}`);
      return 2;
    }
    const file = positionals[0];
    let json: unknown;
    try {
      json = await readScenarioFile(file);
    } catch (error) {
      console.error(`mesostp check: ${(error as Error).message}`);
      return 1;
    }
    const result = validateScenario(json);
    for (const w of result.warnings) console.error(`warning: ${formatIssue(w)}`);
    if (!result.ok) {
      console.error(`${file}: ${result.errors.length} problem(s):`);
      for (const e of result.errors) console.error(`  ${formatIssue(e)}`);
      return 1;
    }
    console.log(describeScenario(result.scenario));
    return 0;
  },
};

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { formatJson, scenarioJsonSchema } from '../../model';

const help = `mesostp schema [--out FILE]

Prints the JSON Schema (draft 2020-12) of a scenario file, or writes it to FILE. It is
generated from the zod schemas the validator uses. An editor that reads JSON Schema completes
and checks a scenario whose "$schema" key names it, as every preset in scenarios/ does
("$schema": "./scenario.schema.json"). The schema checks the types, ranges and names of the
fields; \`mesostp check\` also checks the rules between fields, which the schema's description
lists (docs/scenario.md).

After a change to the scenario format (src/model/scenario.ts), regenerate the committed copy:
  mesostp schema --out scenarios/scenario.schema.json

Options:
  --out FILE   write the schema to FILE (creating its folder) instead of printing it`;

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print or write the JSON Schema of scenario files, for editors',
  help,
  async run(args) {
    let out: string | undefined;
    try {
      const { values, positionals } = parseArgs({ args, options: { out: { type: 'string' } }, allowPositionals: true, strict: true });
      if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}'`);
      out = values.out;
    } catch (error) {
      console.error(`mesostp schema: ${(error as Error).message}\n\n${help}`);
      return 2;
    }
    const text = formatJson(scenarioJsonSchema());
    if (out === undefined) {
      process.stdout.write(text);
      return 0;
    }
    try {
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, text);
    } catch (error) {
      console.error(`mesostp schema: cannot write ${out}: ${(error as Error).message}`);
      return 1;
    }
    console.log(`wrote ${out}`);
    return 0;
  },
};

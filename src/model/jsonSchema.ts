/**
 * The JSON Schema (draft 2020-12) of a scenario file, generated from the zod schemas of
 * ./scenario.ts with zod's z.toJSONSchema. It describes the file as a user writes it (zod's
 * input side): a field with a default may be omitted. Editors use it to complete and check
 * scenario files (each preset in scenarios/ names scenarios/scenario.schema.json in its
 * "$schema" key); `mesostp schema` prints or writes it.
 *
 * The schema says what the zod schemas say (types, ranges, lengths, names, enums, unknown
 * fields), no more and no less: a zod check that JSON Schema cannot express (a `.refine()`,
 * a transform, a pipe) would otherwise be dropped without a word, and the JSON Schema would
 * accept a file the validator refuses, so generation throws on one instead. The checks of
 * ./validate.ts that relate fields to each other are not in the schema; its description
 * (CROSS_FIELD_RULES) lists them.
 *
 * No Node modules here: the browser entry of the library exports scenarioJsonSchema too.
 */
import { z } from 'zod';
import { ScenarioSchema } from './scenario';

/** The schema's `$id`. */
export const SCENARIO_SCHEMA_ID = 'urn:mesostp:scenario';

/** The rules of ./validate.ts between fields, which the JSON Schema does not express. */
export const CROSS_FIELD_RULES: readonly string[] = [
  'run.duration, every projection delay, a non-zero tRef and record.binSize are whole numbers of time steps run.dt (a delay at least one step), and a run has at most 2³² steps',
  'run.dt is at most ¼ of every membrane time constant (tauM) and filter time constant (tau, tauRise, tauDecay)',
  'a projection\'s "from" and "to" and the populations of record.inputs and record.spikes name populations of the file; "to" and record.inputs are not Poisson sources; projection names are unique; a recorded "neurons" is at most the population\'s N',
  'a fixed-indegree C is at most the number of available sources, and an explicit projection has at most 2³¹ − 1 synapses',
  'a Poisson rate stays ≥ 0 (a sinusoid: offset ≥ |amplitude|); a "steps" function has strictly increasing times and one more value than times',
  'a kinetic receptor needs conductance output (NMDA also mgBlock); three-state STP takes a linear filter, not a kinetic receptor; a conductance weight is ≥ 0',
  "heterogeneity is allowed for the weight and the parameters of the projection's STP model only, and not with perTrial connectivity",
  "run.integration 'exact' takes current-based linear filters only: no conductance output (except delta pulses), no kinetic receptor, no heterogeneous tauIn",
];

/** zod checks whose effect z.toJSONSchema writes into the JSON Schema. */
const REPRESENTED_CHECKS = new Set(['less_than', 'greater_than', 'multiple_of', 'number_format', 'min_length', 'max_length', 'length_equals']);

interface CheckDef {
  check: string;
  format?: string;
}

/**
 * What of this zod schema the JSON Schema would leave out, or null. zod's own "unrepresentable"
 * error covers types without a JSON Schema equivalent (transforms, dates, ...), but it passes
 * over checks it does not know (a `.refine()`) and takes only the input side of a pipe.
 */
function unrepresentedPart(schema: z.core.$ZodType): string | null {
  const def = schema._zod.def;
  if (def.type === 'pipe' || def.type === 'transform') return `a ${def.type}, whose output side JSON Schema cannot check`;
  // A schema can be a check itself (z.email(), z.int()), besides the checks it holds.
  const checks = (def.checks ?? []).map((check) => check._zod.def as CheckDef);
  const own = def as unknown as Partial<CheckDef>;
  if (own.check) checks.unshift({ check: own.check, format: own.format });
  for (const c of checks) {
    // String formats other than a regex become a "format" annotation, which validators need not enforce.
    if (c.check === 'string_format' && c.format === 'regex') continue;
    if (!REPRESENTED_CHECKS.has(c.check)) return `a ${c.check}${c.format ? ` (${c.format})` : ''} check`;
  }
  return null;
}

/**
 * The JSON Schema of the input side of a zod schema (draft 2020-12). Throws when the zod schema
 * holds a check or transform the JSON Schema cannot express: such a rule belongs in
 * ./validate.ts (and in CROSS_FIELD_RULES), or it must be written as a check JSON Schema knows.
 */
export function inputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
    override: ({ zodSchema, path }) => {
      const part = unrepresentedPart(zodSchema);
      if (part) throw new Error(`the JSON Schema cannot express ${part} at ${path.length ? path.join('/') : 'the root'}`);
    },
  }) as Record<string, unknown>;
}

/**
 * The JSON Schema (draft 2020-12) of a scenario file as a user writes it: defaults make fields
 * optional, unknown fields are refused, and each field carries its description. A new object
 * on every call.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const { $schema, ...body } = inputJsonSchema(ScenarioSchema);
  return {
    $schema,
    $id: SCENARIO_SCHEMA_ID,
    title: 'mesostp scenario',
    description: [
      'A mesostp scenario: populations of spiking neurons, the projections between them (connectivity, weight, delay, synaptic filter, output, short-term plasticity), the run and what to record. Units: s, Hz, mV (relative to rest), mM. docs/scenario.md documents every field.',
      'Generated from the zod schemas of src/model/scenario.ts by `mesostp schema`: it checks the types, ranges and names of the fields; a field with a default may be omitted. `mesostp check` also checks these rules between fields, which this schema does not express:',
      ...CROSS_FIELD_RULES.map((rule) => `- ${rule}.`),
    ].join('\n'),
    ...body,
  };
}

/**
 * JSON as `JSON.stringify(value, null, 2)` writes it, except that an array of numbers, strings,
 * booleans or nulls that fits on its line (160 columns) stays on one line: the layout the
 * project's formatter (Biome, biome.jsonc) gives, so that a regenerated schema passes `npm run lint`.
 */
export function formatJson(value: unknown): string {
  const width = 160;
  const write = (v: unknown, indent: string, prefix: string, suffix: string): string[] => {
    if (Array.isArray(v)) {
      if (v.length === 0) return [`${indent}${prefix}[]${suffix}`];
      if (v.every((x) => x === null || typeof x !== 'object')) {
        const line = `${indent}${prefix}[${v.map((x) => JSON.stringify(x)).join(', ')}]${suffix}`;
        if (line.length <= width) return [line];
      }
      const inner = `${indent}  `;
      return [`${indent}${prefix}[`, ...v.flatMap((x, i) => write(x, inner, '', i < v.length - 1 ? ',' : '')), `${indent}]${suffix}`];
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      if (entries.length === 0) return [`${indent}${prefix}{}${suffix}`];
      const inner = `${indent}  `;
      return [
        `${indent}${prefix}{`,
        ...entries.flatMap(([k, x], i) => write(x, inner, `${JSON.stringify(k)}: `, i < entries.length - 1 ? ',' : '')),
        `${indent}}${suffix}`,
      ];
    }
    return [`${indent}${prefix}${JSON.stringify(v)}${suffix}`];
  };
  return `${write(value, '', '', '').join('\n')}\n`;
}

/**
 * The JSON Schema of scenario files (src/model/jsonSchema.ts): the committed copy is current,
 * every preset passes it, and it refuses what the validator refuses for a type or a range.
 *
 * The division of work, which the last tests pin down: the JSON Schema (generated from the zod
 * schemas) refuses wrong types, out-of-range values, unknown fields, missing required fields
 * and unknown names (models, filters, enums). Only validateScenario (src/model/validate.ts)
 * refuses what needs several fields at once (CROSS_FIELD_RULES): durations, delays, tRef and
 * binSize that are not whole steps of dt; dt coarser than ¼ of a time constant; references to
 * populations that do not exist or are Poisson sources; in-degrees above the source size;
 * negative Poisson rates; "steps" functions whose values do not match their times; kinetic
 * receptors without conductance output; heterogeneity of a parameter the STP model lacks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CROSS_FIELD_RULES, formatIssue, formatJson, inputJsonSchema, SCENARIO_SCHEMA_ID, scenarioJsonSchema, validateScenario } from '../../../src/model';

const SCHEMA_FILE = 'scenarios/scenario.schema.json';
const REGENERATE = `${SCHEMA_FILE} is out of date with src/model/scenario.ts: regenerate it with \`npm run build:cli && node bin/mesostp.js schema --out ${SCHEMA_FILE}\``;

const presetFiles = readdirSync('scenarios')
  .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
  .sort();

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validateJson = ajv.compile(scenarioJsonSchema());

function ajvErrors(json: unknown): string[] {
  return validateJson(json) ? [] : (validateJson.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

function validatorErrors(json: unknown): string[] {
  const r = validateScenario(json);
  return r.ok ? [] : r.errors.map(formatIssue);
}

function demo(): any {
  return JSON.parse(readFileSync('scenarios/demo.json', 'utf8'));
}

/** demo.json with `edit` applied. */
function mutated(edit: (s: any) => void): any {
  const s = demo();
  edit(s);
  return s;
}

describe('the JSON Schema of scenario files', () => {
  it('is the committed scenarios/scenario.schema.json', () => {
    const committed = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(committed, REGENERATE).toEqual(scenarioJsonSchema());
  });

  it('is draft 2020-12 with an $id, a title, and a description that lists the rules it leaves to the validator', () => {
    const schema = scenarioJsonSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(SCENARIO_SCHEMA_ID);
    expect(schema.title).toBe('mesostp scenario');
    for (const rule of CROSS_FIELD_RULES) expect(schema.description).toContain(rule);
    // Field descriptions come from the zod schemas' .describe().
    const run = (schema.properties as any).run;
    expect(run.properties.dt.description).toMatch(/Time step \(s\)/);
    expect(run.required).toEqual(['dt', 'duration']);
  });

  it('is written in the layout of the project formatter', () => {
    expect(formatJson({ a: ['x', 'y'], b: {}, c: [], d: [{ e: 1 }] })).toBe(
      '{\n  "a": ["x", "y"],\n  "b": {},\n  "c": [],\n  "d": [\n    {\n      "e": 1\n    }\n  ]\n}\n',
    );
    const long = Array.from({ length: 40 }, (_, i) => `item${i}`);
    expect(formatJson({ long }).trimEnd().split('\n')).toHaveLength(long.length + 4);
  });

  it('accepts every preset, as validateScenario does, and every preset names it', () => {
    expect(presetFiles.length).toBeGreaterThanOrEqual(7);
    for (const f of presetFiles) {
      const text = readFileSync(`scenarios/${f}`, 'utf8');
      expect(text.startsWith('{\n  "$schema": "./scenario.schema.json",\n'), `${f} starts with its "$schema" key`).toBe(true);
      const json = JSON.parse(text);
      expect(ajvErrors(json), f).toEqual([]);
      expect(validatorErrors(json), f).toEqual([]);
    }
  });

  // Refused by both for a type or a range: [what, edit of demo.json].
  const refusedByBoth: [string, (s: any) => void][] = [
    ['U = 1.5', (s) => (s.projections[0].stp.U = 1.5)],
    ['U = 0', (s) => (s.projections[0].stp.U = 0)],
    ['a negative recovery time constant', (s) => (s.projections[0].stp.tauD = -0.8)],
    ['tauM = 0', (s) => (s.populations.neurons.tauM = 0)],
    ['a negative filter time constant', (s) => (s.projections[0].filter.tau = -0.005)],
    ['a negative N', (s) => (s.populations.input.N = -5)],
    ['a non-integer N', (s) => (s.populations.neurons.N = 50.5)],
    ['N above 2³¹ − 1', (s) => (s.populations.neurons.N = 2 ** 31)],
    ['a string where a number goes', (s) => (s.projections[0].weight = '0.3')],
    ['a string where a boolean goes', (s) => (s.record.activity = 'yes')],
    ['an unknown field at the top level', (s) => (s.durations = 2)],
    ['an unknown field inside a projection', (s) => (s.projections[0].wieght = 0.3)],
    ['an unknown field inside the run', (s) => (s.run.steps = 4000)],
    ['a missing required field (run.dt)', (s) => delete s.run.dt],
    ['a missing required field (a projection filter)', (s) => delete s.projections[0].filter],
    ['a missing name', (s) => delete s.name],
    ['an empty name', (s) => (s.name = '')],
    ['an unknown STP model', (s) => (s.projections[0].stp = { model: 'tsodyks', U: 0.5, tauD: 0.8 })],
    ['an unknown neuron model', (s) => (s.populations.neurons.model = 'izhikevich')],
    ['an unknown filter', (s) => (s.projections[0].filter = { type: 'gaussian', tau: 0.005 })],
    ['an unknown receptor', (s) => (s.projections[0].filter = { type: 'kinetic', receptor: 'AMPB' })],
    ['a wrong enum value (normalize)', (s) => (s.projections[0].normalize = 'area')],
    ['a wrong enum value (storage)', (s) => (s.projections[0].storage = 'implicit')],
    ['a negative delay', (s) => (s.projections[0].delay = -0.001)],
    ['trials = 0', (s) => (s.run.trials = 0)],
    ['non-integer trials', (s) => (s.run.trials = 2.5)],
    ['a seed of 2³²', (s) => (s.run.seed = 2 ** 32)],
    ['a probability p > 1', (s) => (s.projections[0].connectivity = { type: 'fixed-probability', p: 1.5 })],
    ['a probability p = 0', (s) => (s.projections[0].connectivity = { type: 'fixed-probability', p: 0 })],
    ['a negative dt', (s) => (s.run.dt = -0.0005)],
    ['U0 > 1', (s) => (s.projections[0].stp = { model: 'tsodyks-markram', U: 0.5, U0: 1.2, tauD: 0.8, tauF: 0 })],
    ['a parameter of another STP model', (s) => (s.projections[0].stp.tauF = 0.1)],
    ['a population name that starts with a digit', (s) => (s.populations['1st'] = s.populations.input)],
    ['a "steps" function without times', (s) => (s.populations.input.rate = { type: 'steps', times: [], values: [1] })],
    ['an adaptation kernel without tau', (s) => (s.populations.neurons.adaptation = [{ J: 1 }])],
    ['a heterogeneity with an unknown distribution', (s) => (s.projections[0].heterogeneity = { weight: { distribution: 'gamma', k: 2 } })],
    ['null for an optional field', (s) => (s.record.binSize = null)],
    ['a $schema that is not a string', (s) => (s.$schema = 42)],
  ];

  it.each(refusedByBoth)('refuses %s, as validateScenario does', (_, edit) => {
    const json = mutated(edit);
    expect(ajvErrors(json), 'ajv with the JSON Schema').not.toEqual([]);
    expect(validatorErrors(json), 'validateScenario').not.toEqual([]);
  });

  it('has at least 15 such cases', () => {
    expect(refusedByBoth.length).toBeGreaterThanOrEqual(15);
  });

  // Accepted by both: [what, edit of demo.json].
  const acceptedByBoth: [string, (s: any) => void][] = [
    ['the preset as it is ($schema present)', () => {}],
    ['without $schema', (s) => delete s.$schema],
    ['another $schema string', (s) => (s.$schema = 'https://example.org/scenario.schema.json')],
    [
      'every field with a default omitted',
      (s) => {
        for (const key of ['description', 'sources', 'record']) delete s[key];
        delete s.run.trials;
        delete s.run.seed;
        for (const key of ['output', 'stp', 'storage']) delete s.projections[0][key];
      },
    ],
    ['no projections', (s) => delete s.projections],
    [
      'a kinetic receptor with conductance output and the receptor defaults',
      (s) => {
        s.projections[0].filter = { type: 'kinetic', receptor: 'AMPA' };
        s.projections[0].output = { type: 'conductance', E: 65 };
      },
    ],
    ['fixed-probability at p = 1', (s) => (s.projections[0].connectivity = { type: 'fixed-probability', p: 1 })],
    [
      'Tsodyks–Markram at its boundaries (U = 1, U0 = 0, τF = 0)',
      (s) => (s.projections[0].stp = { model: 'tsodyks-markram', U: 1, U0: 0, tauD: 0.8, tauF: 0 }),
    ],
    ['a sinusoidal drive without phase', (s) => (s.populations.neurons.mu = { type: 'sinusoid', offset: 10, amplitude: 2, frequency: 5 })],
    ['an explicit default value', (s) => (s.projections[0].normalize = 'integral')],
  ];

  it.each(acceptedByBoth)('accepts %s, as validateScenario does', (_, edit) => {
    const json = mutated(edit);
    expect(ajvErrors(json), 'ajv with the JSON Schema').toEqual([]);
    expect(validatorErrors(json), 'validateScenario').toEqual([]);
  });

  // Refused by validateScenario only (CROSS_FIELD_RULES): [what, edit of demo.json, the path the validator names].
  const refusedByValidatorOnly: [string, (s: any) => void, string][] = [
    ['a delay that is not a whole number of steps', (s) => (s.projections[0].delay = 0.00075), 'projections[0].delay'],
    ['a delay shorter than dt', (s) => (s.projections[0].delay = 0.0001), 'projections[0].delay'],
    ['a duration that is not a whole number of steps', (s) => (s.run.duration = 2.00025), 'run.duration'],
    ['a dt coarser than ¼ of tauM', (s) => (s.populations.neurons.tauM = 0.0015), 'run.dt'],
    ['a projection from an unknown population', (s) => (s.projections[0].from = 'nobody'), 'projections[0].from'],
    ['a projection onto a Poisson source', (s) => (s.projections[0].to = 'input'), 'projections[0].to'],
    ['an in-degree above the source size', (s) => (s.projections[0].connectivity.C = 201), 'projections[0].connectivity.C'],
    ['a negative Poisson rate', (s) => (s.populations.input.rate.value = -1), 'populations.input.rate.value'],
    [
      'steps with as many values as times',
      (s) => (s.populations.input.rate = { type: 'steps', times: [0.5, 1], values: [1, 2] }),
      'populations.input.rate.values',
    ],
    ['a kinetic receptor with current output', (s) => (s.projections[0].filter = { type: 'kinetic', receptor: 'AMPA' }), 'projections[0].output'],
    [
      'heterogeneity of a parameter the STP model lacks',
      (s) => (s.projections[0].heterogeneity = { tauF: { distribution: 'normal', sd: 0.1 } }),
      'projections[0].heterogeneity.tauF',
    ],
    ['recording more neurons than the population has', (s) => (s.record.spikes[0].neurons = 51), 'record.spikes[0].neurons'],
    [
      "run.integration 'exact' with a conductance filter",
      (s) => {
        s.run.integration = 'exact';
        s.projections[0].output = { type: 'conductance', E: 0 };
      },
      'projections[0].output.type',
    ],
  ];

  it.each(refusedByValidatorOnly)('leaves %s to validateScenario', (_, edit, path) => {
    const json = mutated(edit);
    expect(ajvErrors(json), 'ajv with the JSON Schema').toEqual([]);
    expect(validatorErrors(json), 'validateScenario').toEqual([expect.stringMatching(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}: `))]);
  });
});

describe('generating a JSON Schema from zod', () => {
  it('refuses what it cannot express instead of dropping it', () => {
    expect(() => inputJsonSchema(z.number().refine((x) => x !== 3))).toThrow(/cannot express a custom check/);
    expect(() => inputJsonSchema(z.object({ a: z.string().pipe(z.string().min(2)) }))).toThrow(/cannot express a pipe.* at properties\/a/);
    expect(() => inputJsonSchema(z.string().transform((s) => s.length))).toThrow();
    expect(() => inputJsonSchema(z.email())).toThrow(/string_format \(email\)/);
    expect(() => inputJsonSchema(z.string().trim())).toThrow(/overwrite/);
  });

  it('keeps the checks it can express', () => {
    const schema = inputJsonSchema(z.strictObject({ n: z.number().int().positive().max(9), s: z.string().regex(/^a/), k: z.boolean().default(true) }));
    expect(schema).toMatchObject({
      type: 'object',
      properties: { n: { type: 'integer', exclusiveMinimum: 0, maximum: 9 }, s: { type: 'string', pattern: '^a' }, k: { type: 'boolean', default: true } },
      required: ['n', 's'],
      additionalProperties: false,
    });
  });
});

describe('the $schema key of a scenario', () => {
  it('is accepted and ignored by the validator', () => {
    const r = validateScenario(demo());
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.scenario.$schema).toBe('./scenario.schema.json');
  });

  it('must be a string, and other unknown top-level keys are refused with the usual message', () => {
    expect(validatorErrors(mutated((s) => (s.$schema = 42)))).toEqual([expect.stringMatching(/^\$schema: expected string, got 42/)]);
    expect(validatorErrors(mutated((s) => (s.$schemas = 'x')))).toEqual([
      expect.stringMatching(/^\$schemas: unknown field \(did you mean "\$schema"\?\); allowed here: \$schema, name, description/),
    ]);
  });
});

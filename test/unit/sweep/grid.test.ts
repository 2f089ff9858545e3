/**
 * The grid of `mesostp sweep` (src/sweep/grid.ts): --vary in its three forms and every refusal,
 * the order of the points (first --vary slowest), setting a point's values into a copy of the
 * scenario, the fields a --vary may name, and the units its axis label takes from the schema.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../src/model/validate';
import {
  applyPoint,
  checkVaryTarget,
  fieldUnit,
  gridPoints,
  MAX_POINTS,
  parseVaries,
  parseVary,
  pointName,
  pointText,
  spacedValues,
} from '../../../src/sweep/grid';

const demo = JSON.parse(readFileSync('scenarios/demo.json', 'utf8'));
const v2 = JSON.parse(readFileSync('scenarios/v2-feedforward-depression.json', 'utf8'));

describe('--vary PATH=…', () => {
  it('FROM:TO:COUNT: COUNT values evenly spaced, both ends exact; COUNT 1 is FROM', () => {
    const v = parseVary('projections[0].stp.U=0.1:0.9:5');
    expect(v).toMatchObject({ path: 'projections[0].stp.U', spacing: 'linear' });
    expect(v.values).toHaveLength(5);
    expect(v.values[0]).toBe(0.1);
    expect(v.values[4]).toBe(0.9);
    for (let i = 0; i < 5; i++) expect(v.values[i]).toBeCloseTo(0.1 + 0.2 * i, 14);
    expect(parseVary('a.b=0:1:5').values).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(parseVary('a.b=3:-3:3').values).toEqual([3, 0, -3]);
    expect(parseVary('run.dt=0.0005:7:1').values).toEqual([0.0005]);
    expect(parseVary('a.b = 1e-3 : 2e-3 : 2').values).toEqual([0.001, 0.002]);
  });

  it('FROM:TO:COUNT:log: evenly spaced in log, both ends exact', () => {
    const v = parseVary('projections[0].stp.tauD=0.01:10:4:log');
    expect(v.spacing).toBe('log');
    expect(v.values[0]).toBe(0.01);
    expect(v.values[3]).toBe(10);
    expect(v.values[1]).toBeCloseTo(0.1, 14);
    expect(v.values[2]).toBeCloseTo(1, 13);
    expect(spacedValues(2, 8, 3, true)[1]).toBeCloseTo(4, 14);
  });

  it('V1,V2,…: a list in the order given', () => {
    expect(parseVary('populations.E.N=300,100,200')).toMatchObject({ path: 'populations.E.N', spacing: 'list', values: [300, 100, 200] });
    expect(parseVary('a.b=-1.5').values).toEqual([-1.5]);
  });

  it('writes the path as the validator does', () => {
    expect(parseVary('projections.0.stp.U=1,2').path).toBe('projections[0].stp.U');
    expect(parseVary('populations.pre.rate.values[1]=1,2').path).toBe('populations.pre.rate.values[1]');
  });

  it('refuses a malformed --vary, naming it and the forms it may take', () => {
    const refused = (spec: string, message: RegExp) => {
      expect(() => parseVary(spec)).toThrow(message);
      expect(() => parseVary(spec)).toThrow(`--vary ${spec}:`);
    };
    refused('projections[0].stp.U', /no "=": expected PATH=FROM:TO:COUNT .* PATH=FROM:TO:COUNT:log .* PATH=V1,V2/);
    refused('a.b=0:1', /"0:1" is neither FROM:TO:COUNT nor FROM:TO:COUNT:log/);
    refused('a.b=0:1:3:lin', /"lin" is not "log"/);
    refused('a.b=0:x:3', /TO "x" is not a number/);
    refused('a.b=0:1:0', /COUNT must be a whole number ≥ 1, got 0/);
    refused('a.b=0:1:2.5', /COUNT must be a whole number ≥ 1, got 2.5/);
    refused(`a.b=0:1:${MAX_POINTS + 1}`, /more than 100000 points/);
    refused('a.b=0:1:3:log', /log spacing needs FROM and TO > 0, got 0 and 1/);
    refused('a.b=2:2:3', /FROM and TO are both 2: the 3 values would all be the same/);
    refused('a.b=1,,2', /value "" is not a number/);
    refused('a.b=1,2,1', /the list gives 1 twice/);
    refused('a.b=', /no values after "="/);
    refused('=1,2', /"" is not a JSON path into the scenario/);
    refused('a b=1,2', /"a b" is not a JSON path/);
    refused('a.b=Infinity,1', /value "Infinity" is not a number/);
  });

  it('refuses no --vary, a field varied twice, and a grid beyond the limit', () => {
    expect(() => parseVaries([])).toThrow(/no --vary: name at least one field/);
    expect(() => parseVaries(['a.b=1,2', 'c=1,2', 'a.b=3:4:2'])).toThrow(/--vary a.b=1,2 and --vary a.b=3:4:2 both vary a.b: vary each field once/);
    expect(() => parseVaries(['a=0:1:1000', 'b=0:1:1000'])).toThrow(/make 1000000 points, more than 100000/);
  });
});

describe('the grid', () => {
  it('is every combination, the first --vary varying slowest', () => {
    const varies = parseVaries(['a=1,2', 'b=10:30:3', 'c=7']);
    expect(gridPoints(varies)).toEqual([
      [1, 10, 7],
      [1, 20, 7],
      [1, 30, 7],
      [2, 10, 7],
      [2, 20, 7],
      [2, 30, 7],
    ]);
    expect(pointText(varies, [2, 20, 7])).toBe('a=2, b=20, c=7');
  });

  it("sets a point's values into a copy of the scenario, leaving the file's object as it is", () => {
    const varies = parseVaries(['projections[0].stp.U=0.2,0.3', 'populations.input.rate.value=5,10', 'populations.neurons.restPotential=-70,-60']);
    const before = JSON.stringify(demo);
    const point = applyPoint(demo, varies, [0.3, 5, -60]);
    expect(JSON.stringify(demo)).toBe(before);
    expect(point.projections[0].stp.U).toBe(0.3);
    expect(point.populations.input.rate).toEqual({ type: 'constant', value: 5 });
    expect(point.populations.neurons.restPotential).toBe(-60);
    expect(point.projections[0].stp.tauD).toBe(0.8);
    expect(parseScenario(point).projections[0].stp).toMatchObject({ model: 'depression', U: 0.3 });
  });

  it('names the point folders zero-padded, at least three digits', () => {
    expect(pointName(3, 4)).toBe('003');
    expect(pointName(0, 1)).toBe('000');
    expect(pointName(12, 1001)).toBe('0012');
  });
});

describe('the field a --vary names', () => {
  const parsed = parseScenario(demo);
  const check = (spec: string) => () => checkVaryTarget(demo, parsed, parseVary(spec));

  it('takes a number of the file, or one the validator fills in', () => {
    expect(check('projections[0].stp.U=0.1,0.2')).not.toThrow();
    expect(check('run.dt=0.0001,0.0005')).not.toThrow();
    // Not in the file: the default -65 mV.
    expect(check('populations.neurons.restPotential=-70,-60')).not.toThrow();
    expect(() => checkVaryTarget(demo, undefined, parseVary('populations.neurons.restPotential=-70,-60'))).toThrow(/has no field/);
  });

  it('refuses a field that is not there, saying what is', () => {
    expect(check('projections[0].stp.tauF=0.1,0.2')).toThrow(
      '--vary projections[0].stp.tauF=0.1,0.2: the scenario has no field projections[0].stp.tauF (projections[0].stp has model, U, tauD): name a numeric field',
    );
    expect(check('projections[3].weight=1,2')).toThrow('(projections has entries [0]–[0])');
    expect(check('populationz.E.N=1,2')).toThrow('(the scenario has $schema, name, description, sources, populations, projections, run, record)');
  });

  it('refuses a field that is not a number, naming the numbers inside it', () => {
    expect(check('populations.input.rate=1,2')).toThrow(
      '--vary populations.input.rate=1,2: populations.input.rate is an object (type "constant"), not a number: vary one of its numbers: populations.input.rate.value',
    );
    expect(() => checkVaryTarget(v2, undefined, parseVary('populations.pre.rate=1,2'))).toThrow(
      /vary one of its numbers: populations\.pre\.rate\.times\[0\], populations\.pre\.rate\.times\[1\], populations\.pre\.rate\.values\[0\]/,
    );
    expect(check('populations.neurons.model=1,2')).toThrow('populations.neurons.model is a string ("glif"), not a number: --vary takes numeric fields');
  });

  it('finds the unit of a field in the schema, the value of a function of time taking its function’s', () => {
    expect(fieldUnit(demo, 'projections[0].stp.tauD')).toBe('s');
    expect(fieldUnit(demo, 'run.dt')).toBe('s');
    expect(fieldUnit(demo, 'populations.input.rate.value')).toBe('Hz');
    expect(fieldUnit(demo, 'populations.neurons.mu.value')).toBe('mV');
    expect(fieldUnit(v2, 'populations.pre.rate.values[1]')).toBe('Hz');
    expect(fieldUnit(demo, 'projections[0].stp.U')).toBeUndefined();
    expect(fieldUnit(demo, 'populations.neurons.N')).toBeUndefined();
  });
});

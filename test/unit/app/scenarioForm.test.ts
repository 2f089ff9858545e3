/**
 * The app's scenario form logic: which fields a scenario gets, how typed text reaches the
 * validator, and that every validation message lands next to the field it concerns.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { applyField, fieldText, formFields, NO_RASTER, type FieldSpec } from '../../../src/app/state/formFields';
import { placeIssues } from '../../../src/app/state/fieldErrors';
import { getAt, setAt, type Draft } from '../../../src/model/jsonPath';
import { validateScenario } from '../../../src/model';

const v2 = (): Draft => JSON.parse(readFileSync(new URL('../../../scenarios/v2-feedforward-depression.json', import.meta.url), 'utf8'));

function spec(draft: Draft, id: string): FieldSpec {
  const f = formFields(draft)
    .flatMap((g) => g.fields)
    .find((x) => x.id === id);
  if (!f) throw new Error(`no field ${id}`);
  return f;
}

/** The messages shown at each field after validating the draft. */
function shown(draft: Draft): { byField: Map<string, string[]>; general: string[] } {
  const r = validateScenario(draft);
  const placed = placeIssues(r.ok ? [] : r.errors, formFields(draft));
  return { byField: placed.byField, general: placed.general.map((i) => `${i.path}: ${i.message}`) };
}

describe('scenario JSON edits', () => {
  it('setAt copies along the path and leaves the original alone', () => {
    const a = { run: { dt: 1, trials: 2 }, populations: { p: { N: 3 } } };
    const b = setAt(a, ['run', 'dt'], 5);
    expect(b.run).toEqual({ dt: 5, trials: 2 });
    expect(a.run.dt).toBe(1);
    expect(b.populations).toBe(a.populations);
    const c = setAt({ list: [1, 2, 3] }, ['list', 1], 9);
    expect(c.list).toEqual([1, 9, 3]);
    expect(getAt(c, ['list', 2])).toBe(3);
    expect(getAt(c, ['missing', 'x'])).toBeUndefined();
  });
});

describe('the scenario form', () => {
  it('offers the run settings, every population and projection, and the raster', () => {
    const groups = formFields(v2());
    expect(groups.map((g) => g.title)).toEqual(
      ['Run', 'Population pre', 'Population post_all', 'Population post_c40', 'Projection pre->post_all', 'Projection pre->post_c40', 'Recording'].map((t) =>
        t.replace('->', '→'),
      ),
    );
    const ids = groups.flatMap((g) => g.fields.map((f) => f.id));
    expect(ids).toContain('run.trials');
    expect(ids).toContain('populations.pre.rate.values');
    expect(ids).toContain('projections[1].connectivity.C');
    expect(ids).toContain('projections[0].stp.tauD');
    expect(ids).not.toContain('projections[0].connectivity.C'); // all-to-all has no C
    expect(fieldText(spec(v2(), 'populations.pre.rate.values'), v2())).toBe('5, 40, 5');
    expect(fieldText(spec(v2(), 'record.spikes[0].population'), v2())).toBe(NO_RASTER);
  });

  it('every field of every preset shows its value and writes it back unchanged', () => {
    for (const file of ['v2-feedforward-depression', 'v2-feedforward-facilitation', 'v3-up-down', 'v4-population-spikes', 'v5-static-ei', 'v6-scale', 'demo']) {
      const draft: Draft = JSON.parse(readFileSync(new URL(`../../../scenarios/${file}.json`, import.meta.url), 'utf8'));
      for (const f of formFields(draft).flatMap((g) => g.fields)) {
        if (f.kind === 'select') continue; // choosing the shown option of a select re-creates defaults
        const again = applyField(draft, f, fieldText(f, draft));
        expect(getAt(again, f.path), `${file}: ${f.id}`).toEqual(getAt(draft, f.path));
      }
      expect(validateScenario(draft).ok, file).toBe(true);
    }
  });

  it('typed text reaches the validator as typed, and each error shows at its field', () => {
    let d = v2();
    d = applyField(d, spec(d, 'projections[0].stp.U'), '1.5');
    d = applyField(d, spec(d, 'run.trials'), 'abc');
    d = applyField(d, spec(d, 'projections[1].stp.tauD'), 'NaN');
    const s = shown(d);
    expect(s.byField.get('projections[0].stp.U')?.join()).toMatch(/1\.5/);
    expect(s.byField.get('run.trials')?.join()).toMatch(/abc/);
    expect(s.byField.get('projections[1].stp.tauD')?.join()).toMatch(/NaN/);
    expect(s.general).toEqual([]);
    // Fixing them makes the scenario valid again.
    for (const [id, text] of [
      ['projections[0].stp.U', '0.5'],
      ['run.trials', '4'],
      ['projections[1].stp.tauD', '0.8'],
    ])
      d = applyField(d, spec(d, id), text);
    expect(validateScenario(d).ok).toBe(true);
  });

  it('a cross-field check (a negative rate in a list) shows at the list, naming the entry', () => {
    const d = applyField(v2(), spec(v2(), 'populations.pre.rate.values'), '5, -40, 5');
    expect(shown(d).byField.get('populations.pre.rate.values')?.join()).toMatch(/^\[1\]: .*-40/);
  });

  it('a dt too coarse for a time constant is shown at dt', () => {
    const d = applyField(v2(), spec(v2(), 'run.dt'), '0.01');
    const s = shown(d);
    expect(s.byField.get('run.dt')?.join(), JSON.stringify([...s.byField])).toMatch(/dt/);
  });

  it('a negative time constant and an empty required field are refused at their fields', () => {
    let d = applyField(v2(), spec(v2(), 'projections[0].stp.tauD'), '-0.8');
    d = applyField(d, spec(d, 'run.duration'), '');
    const s = shown(d);
    expect(s.byField.get('projections[0].stp.tauD')?.join()).toMatch(/-0\.8/);
    expect(s.byField.get('run.duration')?.join()).toMatch(/required/);
  });

  it('issues about fields the form does not show stay in the general list with their path', () => {
    const d = setAt(v2(), ['projections', 0, 'filter', 'tau'], -1);
    const s = shown(d);
    expect(s.general.join('\n')).toMatch(/^projections\[0\]\.filter\.tau: /m);
  });

  it('choosing another STP model or connectivity replaces the object with the new kind, keeping U', () => {
    let d = v2();
    d = applyField(d, spec(d, 'projections[0].stp.model'), 'depression');
    expect(getAt(d, ['projections', 0, 'stp'])).toEqual({ model: 'depression', U: 0.5, tauD: 0.8 });
    d = applyField(d, spec(d, 'projections[0].stp.model'), 'three-state');
    expect(getAt(d, ['projections', 0, 'stp'])).toEqual({ model: 'three-state', U: 0.5, tauIn: 0.003, tauRec: 0.8 });
    d = applyField(d, spec(d, 'projections[0].connectivity.type'), 'fixed-indegree');
    expect(getAt(d, ['projections', 0, 'connectivity'])).toEqual({ type: 'fixed-indegree', C: 40 });
    expect(formFields(d).flatMap((g) => g.fields.map((f) => f.id))).toContain('projections[0].connectivity.C');
    d = applyField(d, spec(d, 'projections[0].connectivity.type'), 'fixed-probability');
    expect(getAt(d, ['projections', 0, 'connectivity'])).toEqual({ type: 'fixed-probability', p: 0.1 });
    expect(validateScenario(d).ok).toBe(true);
  });

  it("record.trials: 'stats' keeps the statistics only and offers how many trials stay whole; 'all' hides that again", () => {
    let d = v2();
    expect(fieldText(spec(d, 'record.trials'), d)).toBe('all');
    expect(formFields(d).flatMap((g) => g.fields.map((f) => f.id))).not.toContain('record.keepTrials');
    d = applyField(d, spec(d, 'record.trials'), 'stats');
    expect(getAt(d, ['record', 'trials'])).toBe('stats');
    d = applyField(d, spec(d, 'record.keepTrials'), '8');
    expect(getAt(d, ['record', 'keepTrials'])).toBe(8);
    expect(validateScenario(d).ok).toBe(true);
    const bad = applyField(d, spec(d, 'record.keepTrials'), '-1');
    expect(validateScenario(bad).ok).toBe(false);
    d = applyField(d, spec(d, 'record.trials'), 'all');
    expect(formFields(d).flatMap((g) => g.fields.map((f) => f.id))).not.toContain('record.keepTrials');
  });

  it('the raster field records spikes of the chosen population, and "none" removes them', () => {
    let d = v2();
    d = applyField(d, spec(d, 'record.spikes[0].population'), 'post_all');
    expect(getAt(d, ['record', 'spikes'])).toEqual([{ population: 'post_all', neurons: 10 }]);
    expect(validateScenario(d).ok).toBe(true);
    d = applyField(d, spec(d, 'record.spikes[0].population'), NO_RASTER);
    expect(getAt(d, ['record', 'spikes'])).toEqual([]);
  });
});

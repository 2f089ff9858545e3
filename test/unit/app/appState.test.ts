/** The app's run state, shareable links and figure data (no DOM, no GPU). */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { IDLE, overallFraction, overallStatus, startRun, updateLevel } from '../../../src/app/state/runState';
import { decodeShared, encodeShared } from '../../../src/app/state/shareUrl';
import {
  activityFigure,
  decimate,
  dwellFigure,
  histogramSteps,
  inputBandFigure,
  inputPsdFigure,
  recurrentPopulations,
  stpFigure,
} from '../../../src/app/state/plotData';
import { trialsPerUpdate, MIN_TRIALS_PER_BATCH } from '../../../src/app/run/runLevel';
import { parseScenario } from '../../../src/model';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { simulateMeso } from '../../../src/meso';
import { trialCurves } from '../../../src/analysis/trialStatistics';

const preset = (name: string) => JSON.parse(readFileSync(new URL(`../../../scenarios/${name}.json`, import.meta.url), 'utf8'));

describe('run state', () => {
  it('the overall status follows the levels', () => {
    let s = startRun(['micro-gpu', 'meso-mf2']);
    expect(s.status).toBe('running');
    s = updateLevel(s, 'meso-mf2', { status: 'done', fraction: 1 });
    expect(s.status).toBe('running');
    expect(overallFraction(s)).toBe(0.5);
    s = updateLevel(s, 'micro-gpu', { status: 'cancelled', fraction: 0.3 });
    expect(s.status).toBe('cancelled');
    expect(updateLevel(s, 'micro-gpu', { status: 'failed', error: 'lost' }).status).toBe('failed');
    expect(updateLevel(startRun(['macro']), 'macro', { status: 'done' }).status).toBe('done');
    expect(overallStatus(IDLE.levels)).toBe('idle');
  });
});

describe('shareable links', () => {
  it('restore the scenario exactly and the levels', async () => {
    const scenario = preset('v2-feedforward-depression');
    scenario.run.trials = 77;
    const hash = await encodeShared({ scenario, levels: ['micro-gpu', 'meso-mf2'] });
    expect(hash).toMatch(/^#s=[A-Za-z0-9_-]+&levels=micro-gpu,meso-mf2$/);
    // Deflated: far shorter than the JSON.
    expect(hash.length).toBeLessThan(JSON.stringify(scenario).length / 1.5);
    expect(await decodeShared(hash)).toEqual({ scenario, levels: ['micro-gpu', 'meso-mf2'] });
  });

  it('a fragment without a scenario restores nothing; a damaged one or unknown levels say what is wrong', async () => {
    expect(await decodeShared('')).toBeNull();
    expect(await decodeShared('#other=1')).toBeNull();
    const hash = await encodeShared({ scenario: { name: 'x' }, levels: ['macro'] });
    await expect(decodeShared(hash.slice(0, 8))).rejects.toThrow(/could not be read.*cut off/);
    await expect(decodeShared(hash.replace('macro', 'micro-cpu'))).rejects.toThrow(/unknown levels micro-cpu/);
  });
});

describe('micro runs in batches that update the figures', () => {
  it('about eight updates a run, never fewer than the minimum trials per batch', () => {
    expect(trialsPerUpdate(1000)).toBe(125);
    expect(trialsPerUpdate(32)).toBe(MIN_TRIALS_PER_BATCH);
    expect(trialsPerUpdate(1)).toBe(MIN_TRIALS_PER_BATCH);
  });
});

describe('figure data', () => {
  const small = () => {
    const s = preset('v2-feedforward-depression');
    s.run.trials = 6;
    s.run.duration = 0.6;
    return parseScenario(s);
  };

  it('decimate keeps block means and at most the cap', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => i);
    const d = decimate(x, x, 3);
    expect(Array.from(d.x)).toEqual([1.5, 5.5]);
    expect(d.y.length).toBeLessThanOrEqual(3);
    expect(Array.from(decimate(x, x, 20).y)).toEqual(Array.from(x));
  });

  it('the input band is the trial mean ± s.d. of the first sampled neuron, per level', () => {
    const s = small();
    const micro = simulateMicroCpu(s);
    const meso = simulateMeso(s, { level: 'meso', stp: 'mf2' });
    const fig = inputBandFigure({ 'micro-gpu': micro, 'meso-mf2': meso }, 'post_all');
    expect(fig.lines.map((l) => l.label)).toEqual(['micro (WebGPU), 6 trials', 'meso, MF2, 6 trials']);
    const m = micro.inputs.post_all.neurons.length;
    const c = trialCurves({ a: micro.inputs.post_all.sampled, trials: 6, stride: m * micro.bins, offset: 0, bins: micro.bins });
    // 600 bins: below the point cap, so the curves are the trial statistics themselves (the recording's, to rounding).
    expect(Array.from(fig.lines[0].y)).toEqual(Array.from(c.mean));
    for (let k = 0; k < c.sd.length; k++) {
      expect(fig.lines[0].spread!.high[k] - fig.lines[0].y[k]).toBeCloseTo(c.sd[k], 12);
      expect(fig.lines[0].y[k] - fig.lines[0].spread!.low[k]).toBeCloseTo(c.sd[k], 12);
    }
    expect(fig.lines[0].x[0]).toBeCloseTo(micro.binSize / 2, 12);
    expect(inputBandFigure({ 'micro-gpu': micro }, 'pre').note).toMatch(/no level recorded the input into pre/);
  });

  it('the PSD leaves out macro (no fluctuations) and says so; activity and STP figures have a line per population or variable', () => {
    const s = small();
    const micro = simulateMicroCpu(s);
    const macro = simulateMeso(s, { level: 'macro', stp: 'mf2' });
    const psd = inputPsdFigure({ 'micro-gpu': micro, macro }, 'post_all');
    expect(psd.lines.map((l) => l.label)).toEqual(['micro (WebGPU)']);
    expect(psd.note).toMatch(/macro.*no fluctuations/);
    expect(psd.lines[0].x[0]).toBeGreaterThan(0);
    expect(Array.from(psd.lines[0].y).every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
    expect(activityFigure({ 'micro-gpu': micro, macro }).lines).toHaveLength(6);
    expect(stpFigure({ 'micro-gpu': micro }).lines.map((l) => l.label)).toEqual([
      'u pre->post_all (micro)',
      'x pre->post_all (micro)',
      'u pre->post_c40 (micro)',
      'x pre->post_c40 (micro)',
    ]);
  });

  it("record.trials 'stats': the band and activity from the statistics of every trial, the PSD from the kept trials, said in the label", () => {
    const s = small();
    const all = simulateMicroCpu(s);
    const stats = simulateMicroCpu(parseScenario({ ...s, record: { ...s.record, trials: 'stats', keepTrials: 3 } }));
    const band = (r: typeof all) => inputBandFigure({ 'micro-gpu': r }, 'post_all').lines[0];
    const [got, want] = [band(stats), band(all)];
    expect(got.label).toBe('micro (WebGPU), 6 trials');
    for (let k = 0; k < all.bins; k++) expect(got.spread!.high[k]).toBeCloseTo(want.spread!.high[k], 12);
    expect(Array.from(activityFigure({ 'micro-gpu': stats }).lines[0].y)).toEqual(Array.from(activityFigure({ 'micro-gpu': all }).lines[0].y));
    const psd = inputPsdFigure({ 'micro-gpu': stats }, 'post_all');
    expect(psd.lines[0].label).toBe('micro (WebGPU) (the 3 of 6 trials whose arrays were kept)');
    const none = simulateMicroCpu(parseScenario({ ...s, record: { ...s.record, trials: 'stats', keepTrials: 1 } }));
    expect(inputPsdFigure({ 'micro-gpu': none }, 'post_all').note).toMatch(/needs the arrays of ≥ 2 trials: raise record.keepTrials/);
  });

  it('histograms are densities over their bins; dwell times come from the Up/Down segmentation', () => {
    const h = histogramSteps([0.1, 0.2, 0.25, 0.9], 1, 4);
    let area = 0;
    for (let i = 0; i < h.x.length; i += 2) area += (h.x[i + 1] - h.x[i]) * h.y[i];
    expect(area).toBeCloseTo(1, 12);
    expect(h.y[0]).toBeCloseTo(2 / (4 * 0.25), 12); // two of four values in [0, 0.25)
    expect(h.y[6]).toBeCloseTo(1 / (4 * 0.25), 12); // one in [0.75, 1)
    const s = parseScenario({ ...preset('v3-up-down'), run: { ...preset('v3-up-down').run, trials: 2, duration: 4 } });
    expect(recurrentPopulations(simulateMeso(s, { level: 'macro' }))).toEqual(['E']);
    const meso = simulateMeso(s, { level: 'meso', stp: 'mf2' });
    const fig = dwellFigure({ 'meso-mf2': meso }, 'E', { high: 12, low: 6, smoothBins: 5, skipBins: 0 });
    expect(fig.note).toMatch(/meso, MF2: \d+ Up, \d+ Down periods/);
  });
});

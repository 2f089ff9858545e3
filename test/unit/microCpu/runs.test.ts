import { describe, expect, it } from 'vitest';
import { simulateMicroCpu, simulateMicroCpuAsync } from '../../../src/micro/cpu';
import { mergeRecordings } from '../../../src/model/mergeRecordings';
import type { Recording } from '../../../src/model/recording';
import type { Scenario } from '../../../src/model/scenario';
import { scenario } from './support';

/** A small recurrent network with every recorded quantity: Poisson → GLIF (STP, exponential), GLIF → GLIF (three-state, conductance). */
function network(trials: number, extra: Partial<Scenario['record']> = {}): Scenario {
  const glif = {
    model: 'glif' as const,
    N: 30,
    tauM: 0.02,
    mu: { type: 'constant' as const, value: 12 },
    uReset: 0,
    tRef: 0.002,
    c: 10,
    deltaU: 2,
    uTh: 15,
    adaptation: [{ J: 0.1, tau: 0.2 }],
  };
  return scenario({
    populations: { ext: { model: 'poisson', N: 40, rate: { type: 'sinusoid', offset: 20, amplitude: 10, frequency: 3 } }, E: glif },
    projections: [
      {
        from: 'ext',
        to: 'E',
        connectivity: { type: 'fixed-indegree', C: 10 },
        weight: 0.4,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'tsodyks-markram', U: 0.2, U0: 0.2, tauD: 0.2, tauF: 0.5 },
      },
      {
        from: 'E',
        to: 'E',
        connectivity: { type: 'fixed-probability', p: 0.3 },
        weight: 0.05,
        delay: 0.002,
        filter: { type: 'delta' },
        output: { type: 'conductance', E: 60 },
        stp: { model: 'three-state', U: 0.5, tauIn: 0.003, tauRec: 0.3 },
      },
    ],
    run: { dt: 5e-4, duration: 0.5, trials, seed: 99 },
    record: {
      binSize: 0.005,
      inputs: [{ population: 'E', neurons: 3 }],
      stp: true,
      spikes: [
        { population: 'E', neurons: 10 },
        { population: 'ext', neurons: 5 },
      ],
      ...extra,
    },
  });
}

function arraysOf(r: Recording): Record<string, ArrayLike<number>> {
  const out: Record<string, ArrayLike<number>> = {};
  for (const [k, v] of Object.entries(r.activity)) out[`activity.${k}`] = v;
  for (const [k, v] of Object.entries(r.inputs)) {
    out[`inputs.${k}.sampled`] = v.sampled;
    out[`inputs.${k}.mean`] = v.populationMean;
  }
  for (const [k, vars] of Object.entries(r.stp)) for (const [q, v] of Object.entries(vars)) out[`stp.${k}.${q}`] = v;
  for (const [k, v] of Object.entries(r.spikes)) {
    out[`spikes.${k}.trial`] = v.trial;
    out[`spikes.${k}.neuron`] = v.neuron;
    out[`spikes.${k}.time`] = v.time;
  }
  return out;
}

describe('trial ranges', () => {
  it('trials [0, 4) in one block equal [0, 2) + [2, 4) merged, bit for bit', () => {
    const s = network(4);
    const whole = simulateMicroCpu(s);
    const merged = mergeRecordings([simulateMicroCpu(s, { trialRange: [2, 4] }), simulateMicroCpu(s, { trialRange: [0, 2] })]);
    expect(merged.trials).toBe(4);
    expect(merged.engine.trialRange).toEqual([0, 4]);
    const a = arraysOf(whole);
    const b = arraysOf(merged);
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) expect(Array.from(b[k]), k).toEqual(Array.from(a[k]));
    // Not a vacuous comparison: the network is active, and trials differ.
    expect(whole.spikes.E.time.length).toBeGreaterThan(20);
    const act = whole.activity.E;
    expect(Array.from(act.subarray(0, whole.bins))).not.toEqual(Array.from(act.subarray(whole.bins, 2 * whole.bins)));
  });

  it("rejects a range outside the scenario's trials", () => {
    expect(() => simulateMicroCpu(network(2), { trialRange: [1, 3] })).toThrow(/trialRange/);
  });
});

describe('cancellation', () => {
  it('an abort from onProgress after the first chunk returns the bins computed so far', () => {
    const s = network(2);
    const full = simulateMicroCpu(s);
    const controller = new AbortController();
    const seen: number[] = [];
    const r = simulateMicroCpu(s, {
      chunkSteps: 110,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.completedSteps);
        controller.abort();
      },
    });
    expect(seen).toEqual([110]);
    expect(r.cancelled).toBe(true);
    expect(r.completedSteps).toBe(110);
    expect(r.steps).toBe(1000);
    expect(r.bins).toBe(11); // 10 steps per bin
    expect(r.activity.E.length).toBe(2 * 11);
    expect(r.inputs.E.sampled.length).toBe(2 * 3 * 11);
    // The bins computed equal those of the full run (trial 1 starts at bin 11 here, at bin 100 there).
    expect(Array.from(r.activity.E.subarray(11, 22))).toEqual(Array.from(full.activity.E.subarray(100, 111)));
    expect(Array.from(r.stp['ext->E'].u.subarray(0, 11))).toEqual(Array.from(full.stp['ext->E'].u.subarray(0, 11)));
    expect(Math.max(...r.spikes.E.time)).toBeLessThan(110 * 5e-4);
  });

  it('the asynchronous run equals the synchronous one bit for bit', async () => {
    const s = network(2);
    const a = arraysOf(simulateMicroCpu(s));
    const b = arraysOf(await simulateMicroCpuAsync(s, { chunkSteps: 70 }));
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) expect(Array.from(b[k]), k).toEqual(Array.from(a[k]));
  });

  it('the asynchronous run yields between chunks, so an abort from a timer (Ctrl-C, a UI button) stops it', async () => {
    const s = network(1);
    s.run.duration = 1000; // 2·10⁶ steps: minutes if the abort were not seen
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 50);
    const r = await simulateMicroCpuAsync(s, { chunkSteps: 100, signal: controller.signal });
    clearTimeout(timer);
    expect(r.cancelled).toBe(true);
    expect(r.completedSteps).toBeGreaterThan(0);
    expect(r.completedSteps).toBeLessThan(r.steps / 10);
    expect(r.completedSteps % 100).toBe(0);
    expect(r.activity.E.length).toBe(r.bins);
  });

  it('merging a cancelled part cuts every part to the smallest completedSteps', () => {
    const s = network(4);
    const controller = new AbortController();
    const a = simulateMicroCpu(s, { trialRange: [0, 2], chunkSteps: 200, signal: controller.signal, onProgress: () => controller.abort() });
    const b = simulateMicroCpu(s, { trialRange: [2, 4] });
    const m = mergeRecordings([a, b]);
    expect([m.cancelled, m.completedSteps, m.bins, m.activity.E.length]).toEqual([true, 200, 20, 80]);
    expect(Array.from(m.activity.E.subarray(40, 60))).toEqual(Array.from(b.activity.E.subarray(0, 20)));
    expect(Math.max(...m.spikes.E.time)).toBeLessThan(200 * 5e-4);
  });
});

describe('engine facts', () => {
  it('reports STP placement, synapse counts and threads', () => {
    const r = simulateMicroCpu(network(1));
    expect(r.engine.stpState).toEqual({ 'ext->E': 'per-presynaptic-neuron', 'E->E': 'per-presynaptic-neuron' });
    expect((r.engine.synapses as Record<string, number>)['ext->E']).toBe(300);
    expect(r.engine.threads).toBe(1);
    expect(Object.keys(r.stp['E->E'])).toEqual(['x', 'y', 'z']);
  });
});

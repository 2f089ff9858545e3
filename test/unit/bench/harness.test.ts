/** The benchmark harness's arithmetic: medians with their range, and the targets judged from figures. */
import { describe, expect, it } from 'vitest';
import { spread, type BenchResults, type CaseResult, type EngineResult } from '../../../bench/harness';
import { targets } from '../../../bench/report';
import { benchCases } from '../../../bench/cases';
import type { Measurement } from '../../../bench/measure';

/** One run's figures (the dispatch targets read only its schedule). */
function measurement(engine: Measurement['engine']): Measurement {
  return {
    engine,
    wallSeconds: 1,
    setupSeconds: 0.1,
    trialSeconds: 1,
    neuronSteps: 1,
    synapticEvents: 1,
    trialSteps: 1,
    peakHostBytes: 1,
    gpuBytes: null,
    stpStateBytes: {},
  };
}

const s = (v: number) => ({ median: v, min: v, max: v });
function engine(name: EngineResult['engine'], perSecond: number, stp: Record<string, number> = {}): EngineResult {
  return {
    engine: name,
    runs: [],
    wallSeconds: s(1),
    setupSeconds: s(0.1),
    secondsPerTrialSecond: s(perSecond),
    neuronStepsPerSecond: s(1),
    synapticEventsPerSecond: s(1),
    trialStepsPerSecond: s(1),
    peakHostBytes: 1,
    gpuBytes: 1,
    stpStateBytes: stp,
    trafficBytesPerSecond: null,
    bandwidthFraction: null,
  };
}
function results(cases: CaseResult[]): BenchResults {
  return {
    command: 'mesostp bench --full',
    size: 'full',
    repeats: 3,
    date: '2026-11-23',
    machine: { cpu: 'x', cores: 2, memoryBytes: 1, node: 'v20', adapter: 'test adapter', hostBandwidth: { bytesPerSecond: 1, bytes: 1 } },
    cases,
  };
}

describe('bench harness', () => {
  it('spread: median of odd and even counts, min and max, non-finite values ignored', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 2, 3])).toEqual({ median: 2.5, min: 1, max: 4 });
    expect(spread([NaN, 5])).toEqual({ median: 5, min: 5, max: 5 });
    expect(spread([]).median).toBeNaN();
  });

  it('targets: each judged from the figures, or "not measured" when the run lacks the case', () => {
    const ff: CaseResult = {
      workload: 'feedforward',
      variant: 'V2 preset',
      axis: 'B',
      value: 1024,
      setupOnly: false,
      engines: [],
      ratios: [{ faster: 'micro-gpu', slower: 'micro-cpu', ratio: s(21) }],
    };
    const rec = (N: number, meso: number, cpu: number, variant = 'per-presynaptic STP', bytes = 8 * N): CaseResult => ({
      workload: 'recurrent',
      variant,
      axis: 'N',
      value: N,
      setupOnly: false,
      engines: [engine('micro-gpu', cpu, { 'E->E': bytes }), engine('micro-cpu', cpu), engine('meso-age', meso), engine('meso-mf2', 2 * meso)],
      ratios: [],
    });
    const t = targets(
      results([
        ff,
        rec(1000, 0.03, 0.3),
        rec(10000, 0.031, 31),
        rec(1000, 0, 0, 'per-synapse STP', 800 * 1000),
        rec(10000, 0, 0, 'per-synapse STP', 800 * 10000),
      ]),
    );
    // The next four (against Brian2 and on the Monte Carlo) need cases this run lacks; the last three
    // (dispatches per step) micro-gpu runs with their schedules.
    // The default (age-resolved) meso is judged, then MF2 at twice its cost: flat in N, but 500×.
    expect(t.map((x) => x.met)).toEqual([true, true, true, true, false, true, null, null, null, null, null, null, null]);
    expect(t[1].target).toMatch(/^meso \(age-resolved STP, the default\)/);
    expect(t[2].evidence).toMatch(/^1000×/);
    expect(t[3].target).toMatch(/^meso \(MF2\)/);
    expect(t[4].evidence).toMatch(/^500×/);
    const none = targets(results([]));
    expect(none.every((x) => x.met === null)).toBe(true);
    const slow = targets(
      results([{ ...ff, ratios: [{ faster: 'micro-gpu', slower: 'micro-cpu', ratio: s(2.4) }] }, rec(1000, 0.03, 0.3), rec(10000, 0.09, 3)]),
    );
    expect(slow[0].met).toBe(false);
    expect(slow[1].met).toBe(false); // meso cost tripled with N
    expect(slow[2].met).toBe(false);
  });

  it('dispatch targets: from the micro-gpu runs\' schedules, the largest figure per case, "not measured" without such runs', () => {
    const withSchedule = (name: EngineResult['engine'], schedule: { mode: string; dispatchesPerStep: number }[]): EngineResult => ({
      ...engine(name, 1),
      runs: schedule.map((x) => ({ ...measurement(name), schedule: x })),
    });
    const c = (variant: string, e: EngineResult[]): CaseResult => ({
      workload: 'recurrent',
      variant,
      axis: 'N',
      value: 1000,
      setupOnly: false,
      engines: e,
      ratios: [],
    });
    const t = targets(
      results([
        c('a', [
          withSchedule('micro-gpu', [
            { mode: 'fused', dispatchesPerStep: 2.1 },
            { mode: 'fused', dispatchesPerStep: 2.5 },
          ]),
          withSchedule('micro-cpu', []),
        ]),
        c('b', [withSchedule('micro-gpu', [{ mode: 'resident', dispatchesPerStep: 0.002 }])]),
        c('c', [withSchedule('micro-gpu', [{ mode: 'general', dispatchesPerStep: 9.1 }])]),
      ]),
    ).slice(-3);
    expect(t.map((x) => x.met)).toEqual([true, true, false]);
    expect(t[0].evidence).toBe('recurrent a N = 1000: 2.500');
    expect(t[2].evidence).toBe('general schedule: recurrent c N = 1000: 9.100');
    const over = targets(results([c('a', [withSchedule('micro-gpu', [{ mode: 'fused', dispatchesPerStep: 3.2 }])])])).slice(-3);
    expect(over.map((x) => x.met)).toEqual([false, null, false]);
    expect(over[1].evidence).toBe('no micro-gpu run was resident in this run');
    const fine = targets(
      results([
        c('a', [withSchedule('micro-gpu', [{ mode: 'fused', dispatchesPerStep: 2 }])]),
        c('b', [withSchedule('micro-gpu', [{ mode: 'resident', dispatchesPerStep: 0.002 }])]),
      ]),
    ).slice(-3);
    expect(fine.map((x) => x.met)).toEqual([true, true, true]);
    expect(fine[2].evidence).toBe('every micro-gpu run was fused or resident (2 case(s), at most 2.000 per step)');
  });

  it('cases: the quick run has B = 1, 64, 1024 and N = 10³, 10⁴ with the three variants, the two peer workloads and a set-up case', () => {
    const c = benchCases('quick');
    expect(c.filter((x) => x.workload === 'feedforward').map((x) => `${x.variant} ${x.value}`)).toEqual([
      'V2 preset 1',
      'V2 preset 64',
      'V2 preset 1024',
      'V2-type MC, 1000 Poisson, dt = 0.1 ms 128',
    ]);
    expect(c.filter((x) => x.workload === 'recurrent').map((x) => `${x.variant} ${x.value}`)).toEqual([
      'per-presynaptic STP 1000',
      'per-synapse STP 1000',
      'procedural 1000',
      'per-presynaptic STP 10000',
      'per-synapse STP 10000',
      'procedural 10000',
      'per-presynaptic STP, dt = 0.1 ms 500',
    ]);
    expect(c.filter((x) => x.peer).map((x) => x.peer)).toEqual(['feedforward_mc', 'recurrent']);
    const procedural = c.find((x) => x.variant === 'procedural')!.scenario.projections[1];
    expect(procedural).toMatchObject({ storage: 'procedural', connectivity: { type: 'fixed-probability', p: 0.1 } });
    expect(c.filter((x) => x.setupOnly).length).toBe(2);
  });
});

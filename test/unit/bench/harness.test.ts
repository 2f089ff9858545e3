/** The benchmark harness's arithmetic: medians with their range, and the targets judged from figures. */
import { describe, expect, it } from 'vitest';
import { spread, steadyCost, type BenchResults, type CaseResult, type EngineResult } from '../../../bench/harness';
import { mergeBenchResults, targets } from '../../../bench/report';
import { benchCases, MESO_MONTE_CARLO_VARIANT } from '../../../bench/cases';
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
function engine(name: EngineResult['engine'], perSecond: number, stp: Record<string, number> = {}, steady?: number): EngineResult {
  return {
    engine: name,
    runs: [],
    wallSeconds: s(1),
    setupSeconds: s(0.1),
    secondsPerTrialSecond: s(perSecond),
    ...(steady === undefined ? {} : { steadySecondsPerTrialSecond: s(steady) }),
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
    // The 1-s runs cost 3× the steady state for meso (its warm-up) and 1.1× for micro-cpu.
    const rec = (N: number, meso: number, cpu: number, variant = 'per-presynaptic STP', bytes = 8 * N, steady = true): CaseResult => ({
      workload: 'recurrent',
      variant,
      axis: 'N',
      value: N,
      setupOnly: false,
      engines: [
        engine('micro-gpu', cpu, { 'E->E': bytes }),
        engine('micro-cpu', 1.1 * cpu, {}, steady ? cpu : undefined),
        engine('meso-age', 3 * meso, {}, steady ? meso : undefined),
        engine('meso-mf2', 6 * meso, {}, steady ? 2 * meso : undefined),
      ],
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
    // Then meso-gpu's two (no such cases), memory, four against Brian2 and on the Monte Carlo (cases
    // this run lacks), and three dispatch targets from micro-gpu runs with their schedules.
    // The default (age-resolved) meso is judged, then MF2 at twice its cost: flat in N, but 500×.
    expect(t.map((x) => x.met)).toEqual([true, true, true, true, false, null, null, true, null, null, null, null, null, null, null]);
    expect(t[1].target).toMatch(/^meso \(age-resolved STP, the default\)/);
    expect(t[2].evidence).toMatch(
      /^1000× \(steady state: micro-cpu 31\.00 s against 31\.0 ms per simulated second\); 367× by the 1-s runs' run time, warm-up included; 10× at N = 1,000$/,
    );
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
    // Results without steady-state runs: judged on run time, and the 1000× target (warm-up excluded) not met whatever the ratio.
    const old = targets(results([rec(1000, 0.001, 3, undefined, undefined, false), rec(10000, 0.001, 30, undefined, undefined, false)]));
    expect(old[2].met).toBe(false);
    expect(old[2].evidence).toMatch(/^11000× \(run time with warm-up: this run has no steady-state runs/);
  });

  it('meso-gpu targets: 4096 trials of the preset in under 10 s, and faster than meso on all cores at every B ≥ 256', () => {
    const mesoCase = (B: number, gpuWall: number, ratio: number, duration = 1.5): CaseResult => ({
      workload: 'feedforward',
      variant: MESO_MONTE_CARLO_VARIANT,
      axis: 'B',
      value: B,
      duration,
      setupOnly: false,
      engines: [{ ...engine('meso-gpu', 1), wallSeconds: s(gpuWall) }, engine('meso-mf2-all', 1), engine('meso-mf2', 1)],
      ratios: [{ faster: 'meso-gpu', slower: 'meso-mf2-all', ratio: s(ratio) }],
    });
    const pick = (cs: CaseResult[]) => targets(results(cs)).filter((x) => x.target.startsWith('meso-gpu'));
    expect(pick([mesoCase(256, 1, 1.5), mesoCase(4096, 9, 3)]).map((x) => x.met)).toEqual([true, true]);
    const slow = pick([mesoCase(256, 1, 0.8), mesoCase(4096, 12, 3)]);
    expect(slow.map((x) => x.met)).toEqual([false, false]);
    expect(slow[1].evidence).toBe("run time of meso on all cores over meso-gpu's: 0.80× at B = 256, 3.00× at B = 4096 (test adapter)");
    // A shorter run than the preset's 1.5 s says nothing about the 10-s target.
    expect(pick([mesoCase(4096, 1, 3, 0.3)])[0].met).toBeNull();
    expect(pick([])[0].evidence).toMatch(/B = 4096 not in this run/);
  });

  it('steady-state cost: the extra run time per extra simulated trial-second, repeat by repeat', () => {
    const m = (wall: number, trialSeconds: number) => ({ ...measurement('meso-mf2'), wallSeconds: wall, setupSeconds: 0.1, trialSeconds });
    // 1-s runs of 0.25 s and 0.2 s (warm-up included), 10-s runs 0.25 + 9·0.02 and 0.2 + 9·0.03.
    const c = steadyCost([m(0.35, 1), m(0.3, 1)], [m(0.35 + 0.18, 10), m(0.3 + 0.27, 10)]);
    expect(c.median).toBeCloseTo(0.025, 12);
    expect(c.min).toBeCloseTo(0.02, 12);
    expect(c.max).toBeCloseTo(0.03, 12);
    expect(steadyCost([m(0.35, 1)], [{ ...m(1, 10), refused: 'x' }]).median).toBeNaN();
  });

  it('merged reports: the cases of several runs, a case of a later run replacing the same case of an earlier one, each with its repeats', () => {
    const c = (variant: string, value: number, e: number): CaseResult => ({
      workload: 'recurrent',
      variant,
      axis: 'N',
      value,
      setupOnly: false,
      engines: [engine('micro-cpu', e)],
      ratios: [],
    });
    const a = { ...results([c('x', 1, 1), c('y', 1, 1)]), command: 'mesostp bench --full', repeats: 3 };
    const b = { ...results([c('y', 1, 2), c('z', 1, 2)]), command: 'mesostp bench --full --peers --only peers --repeat 1', repeats: 1, date: '2026-11-30' };
    const m = mergeBenchResults([a, b]);
    expect(m.cases.map((x) => [x.variant, x.engines[0].secondsPerTrialSecond.median, x.repeats])).toEqual([
      ['x', 1, 3],
      ['y', 2, 1],
      ['z', 2, 1],
    ]);
    expect(m.sources).toEqual([
      { command: 'mesostp bench --full', date: '2026-11-23', repeats: 3 },
      { command: 'mesostp bench --full --peers --only peers --repeat 1', date: '2026-11-30', repeats: 1 },
    ]);
    // A merged report merged again keeps its sources.
    expect(mergeBenchResults([m, b]).sources).toHaveLength(3);
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

  it('cases: the quick run has B = 1, 64, 1024 (and 256 for the meso engines) and N = 10³, 10⁴ with the three variants, the two peer workloads and a set-up case', () => {
    const c = benchCases('quick');
    expect(c.filter((x) => x.workload === 'feedforward').map((x) => `${x.variant} ${x.value}`)).toEqual([
      'V2 preset 1',
      'V2 preset 64',
      'V2 preset 1024',
      `${MESO_MONTE_CARLO_VARIANT} 256`,
      'V2-type MC, 1000 Poisson, dt = 0.1 ms 128',
    ]);
    // Steady-state runs on the recurrent cases the meso targets read; the full run's 4096 meso trials once.
    expect(c.filter((x) => x.steady).map((x) => `${x.variant} ${x.value}`)).toEqual(['per-presynaptic STP 1000', 'per-presynaptic STP 10000']);
    expect(benchCases('full').find((x) => x.value === 4096)).toMatchObject({
      variant: MESO_MONTE_CARLO_VARIANT,
      maxRepeats: 1,
      engines: ['meso-mf2', 'meso-mf2-all', 'meso-gpu'],
    });
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

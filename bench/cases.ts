/**
 * The benchmark workloads (issue 8): each case is one scenario and the engines (registry
 * variants) that run it.
 *
 * (a) feedforward: the V2 preset (Poisson → depressing STP → exponential filter) at B trials;
 * (b) recurrent: escape-noise LIF with depressing recurrent synapses and fixed in-degree
 *     (scenarios/v6-scale.json) at growing N, with variants: STP state per presynaptic neuron
 *     (the default), per synapse (forced by a spread of τD across synapses) and procedural
 *     connectivity (fixed probability C/N, regenerated on the GPU);
 * (c) the recurrent scenario at the meso and macro levels;
 * (d) set-up only: a network of N neurons with C synapses each, built and run for a few steps;
 * (e) the two workloads that `mesostp bench --peers` also runs in Brian2 (bench/peers): a V2-type
 *     Monte Carlo (1000 Poisson sources per trial through facilitating-depressing TM synapses onto
 *     one neuron per trial, dt = 0.1 ms) and one recurrent network of 500 neurons at dt = 0.1 ms.
 */
import v2Preset from '../scenarios/v2-feedforward-depression.json';
import scalePreset from '../scenarios/v6-scale.json';
import { BENCH_VARIANTS, variant, type BenchVariantId } from '../src/engines';

/** The simulators outside mesostp that `--peers` runs beside the engines (bench/peers). */
export const PEER_ENGINES = ['brian2-cython', 'brian2-cpp'] as const;
export type PeerEngine = (typeof PEER_ENGINES)[number];

/** What the benchmarks run: the registry's variants marked for them (src/engines), by id, and the peers. */
export type BenchEngine = BenchVariantId | PeerEngine;

export function isPeer(e: string): e is PeerEngine {
  return (PEER_ENGINES as readonly string[]).includes(e);
}

/** The hand-written Brian2 script of a workload (bench/peers/brian2/<name>.py). */
export type PeerScript = 'feedforward_mc' | 'recurrent';

export type BenchSize = 'smoke' | 'quick' | 'full';

export interface BenchCase {
  /** Workload and variant, e.g. "recurrent / per-synapse STP". */
  workload: string;
  variant: string;
  /** The size axis of the workload: trials B or neurons N. */
  axis: 'B' | 'N';
  value: number;
  scenario: Record<string, any>;
  engines: BenchEngine[];
  /** Only the set-up time matters (the run is a few steps). */
  setupOnly?: boolean;
  /** The Brian2 script that runs the same network (with --peers). */
  peer?: PeerScript;
  /**
   * Also measure each engine's steady-state cost: a second run, `steadyExtraSeconds(engine)`
   * longer, whose extra run time over the first is the cost of the added steps alone, without
   * set-up and the JavaScript engine's warm-up (which is most of a 1-s meso run).
   */
  steady?: boolean;
  /** Repeats of this case when fewer than the run's (a case too long to repeat). */
  maxRepeats?: number;
}

/**
 * How much longer the second run of a `steady` case is: the micro engines' cost is dominated by
 * their steps, so one more duration resolves it; the population equations cost ~10⁻³ of that per
 * step, so they run 9 durations more for a difference well above the noise of process start-up.
 */
export function steadyExtraSeconds(c: BenchCase, engine: BenchEngine): number {
  const d = c.scenario.run.duration;
  return !isPeer(engine) && variant(engine).engine.startsWith('micro') ? d : 9 * d;
}

interface Sizes {
  feedforwardTrials: number[];
  /** The V2 preset at the meso engines only (meso-gpu's targets: 4096 trials, and 256 trials up). */
  mesoTrials: number[];
  feedforwardDuration: number;
  recurrentN: number[];
  /** Procedural connectivity only (micro-gpu): sizes beyond the explicit ones. */
  proceduralN: number[];
  recurrentDuration: number;
  setup: { N: number; C: number };
  /** The peer workloads: the Monte Carlo's trials and duration, the recurrent network's N and duration. */
  peerMonteCarlo: { trials: number; duration: number };
  peerRecurrent: { N: number; duration: number };
  repeats: number;
}

export const SIZES: Record<BenchSize, Sizes> = {
  smoke: {
    feedforwardTrials: [1, 4],
    mesoTrials: [8],
    feedforwardDuration: 0.05,
    recurrentN: [200],
    proceduralN: [],
    recurrentDuration: 0.05,
    setup: { N: 500, C: 50 },
    peerMonteCarlo: { trials: 4, duration: 0.01 },
    peerRecurrent: { N: 500, duration: 0.02 },
    repeats: 2,
  },
  quick: {
    feedforwardTrials: [1, 64, 1024],
    mesoTrials: [256],
    feedforwardDuration: 0.3,
    recurrentN: [1000, 10000],
    proceduralN: [],
    recurrentDuration: 1,
    setup: { N: 10000, C: 1000 },
    peerMonteCarlo: { trials: 128, duration: 0.2 },
    peerRecurrent: { N: 500, duration: 2 },
    repeats: 1,
  },
  full: {
    feedforwardTrials: [1, 64, 1024],
    mesoTrials: [256, 4096],
    feedforwardDuration: 1.5,
    recurrentN: [1000, 10000, 100000],
    proceduralN: [300000],
    recurrentDuration: 1,
    setup: { N: 100000, C: 1000 },
    peerMonteCarlo: { trials: 1024, duration: 1 },
    peerRecurrent: { N: 500, duration: 30 },
    repeats: 3,
  },
};

function feedforward(trials: number, duration: number): Record<string, any> {
  const s = structuredClone(v2Preset) as Record<string, any>;
  s.run = { ...s.run, trials, duration };
  // What a Monte Carlo user records: the activity and the sampled inputs (as the V2 validation does).
  return s;
}

/** The V2 preset run by the meso engines alone, at trial counts beyond the other engines' (the targets find it by this name). */
export const MESO_MONTE_CARLO_VARIANT = 'V2 preset, meso engines';

/** Variant names of the peer workloads (the targets of bench/report.ts find them by these). */
export const MONTE_CARLO_VARIANT = 'V2-type MC, 1000 Poisson, dt = 0.1 ms';
export const PEER_RECURRENT_VARIANT = 'per-presynaptic STP, dt = 0.1 ms';

/**
 * The Monte Carlo of the issue: per trial 1000 Poisson neurons at 10 Hz project all-to-all through
 * Tsodyks–Markram synapses (U = U0 = 0.5, τD = 0.8 s, τF = 50 ms) and a 5-ms exponential filter
 * onto one neuron (V2's postsynaptic neuron), whose input is recorded. The weight is V2's scaled by
 * 100/1000 so that the total drive stays that of V2's 100 sources. The benchmark records what the
 * issue's workload and the Brian2 script record: activity and input; `stp` adds the per-bin STP
 * means (mesostp) and the STP state at the end (Brian2), which cost O(N) per bin and trial in
 * mesostp (docs/benchmarks.md, "What recording costs").
 */
export function monteCarlo(trials: number, duration: number, opts: { stp?: boolean } = {}): Record<string, any> {
  const v2 = v2Preset as Record<string, any>;
  const N = 1000;
  const proj = v2.projections[0];
  return {
    name: 'bench-v2-type-mc',
    description: 'V2-type Monte Carlo of mesostp bench (bench/cases.ts): Poisson → TM STP → exponential filter, one neuron per trial',
    populations: {
      pre: { model: 'poisson', N, rate: { type: 'constant', value: 10 } },
      post: { ...v2.populations.post_all, N: 1 },
    },
    projections: [
      {
        from: 'pre',
        to: 'post',
        connectivity: { type: 'all-to-all' },
        weight: (proj.weight * v2.populations.pre.N) / N,
        delay: proj.delay,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'tsodyks-markram', U: 0.5, U0: 0.5, tauD: 0.8, tauF: 0.05 },
      },
    ],
    run: { dt: 1e-4, duration, trials, seed: v2.run.seed },
    record: { activity: true, binSize: 0.001, inputs: [{ population: 'post', neurons: 1 }], stp: opts.stp ?? false },
  };
}

type Variant = 'per-presynaptic STP' | 'per-synapse STP' | 'procedural';

/** The in-degree of the recurrent workload (that of scenarios/v6-scale.json). */
export const RECURRENT_C: number = scalePreset.projections[1].connectivity.C!;

export function recurrent(N: number, duration: number, variant: Variant, C = RECURRENT_C): Record<string, any> {
  const s = structuredClone(scalePreset) as Record<string, any>;
  s.populations.E.N = N;
  s.populations.ext.N = Math.max(scalePreset.projections[0].connectivity.C!, Math.round(0.4 * N));
  const rec = s.projections[1];
  rec.connectivity = { type: 'fixed-indegree', C };
  if (variant === 'per-synapse STP') rec.heterogeneity = { tauD: { distribution: 'lognormal', cv: 0.1 } };
  if (variant === 'procedural') {
    rec.connectivity = { type: 'fixed-probability', p: C / N };
    rec.storage = 'procedural';
  }
  s.run = { ...s.run, trials: 1, duration };
  s.record = { activity: true, binSize: 0.01 };
  return s;
}

export function benchCases(size: BenchSize): BenchCase[] {
  const z = SIZES[size];
  const cases: BenchCase[] = [];
  for (const B of z.feedforwardTrials) {
    cases.push({
      workload: 'feedforward',
      variant: 'V2 preset',
      axis: 'B',
      value: B,
      scenario: feedforward(B, z.feedforwardDuration),
      // Not meso-age: its sources are Poisson populations, where the age-resolved mean-field is MF2.
      // macro only at B = 1: it is deterministic, every trial the same run.
      engines: B > 1 ? BENCH_VARIANTS.filter((v) => v !== 'meso-age' && v !== 'macro') : ['micro-gpu', 'micro-cpu', 'meso-mf2', 'macro'],
    });
  }
  for (const B of z.mesoTrials) {
    if (z.feedforwardTrials.includes(B)) continue;
    cases.push({
      workload: 'feedforward',
      variant: MESO_MONTE_CARLO_VARIANT,
      axis: 'B',
      value: B,
      scenario: feedforward(B, z.feedforwardDuration),
      engines: ['meso-mf2', 'meso-mf2-all', 'meso-gpu'],
      // 4096 trials of 1.5 s take minutes per engine on two cores.
      ...(B > 1024 ? { maxRepeats: 1 } : {}),
    });
  }
  for (const N of z.recurrentN) {
    // One trial: micro-cpu on all cores would run it on one thread (trials are its parallel axis).
    cases.push({
      workload: 'recurrent',
      variant: 'per-presynaptic STP',
      axis: 'N',
      value: N,
      scenario: recurrent(N, z.recurrentDuration, 'per-presynaptic STP'),
      engines: ['micro-gpu', 'micro-cpu', 'meso-mf2', 'meso-age', 'meso-gpu', 'macro'],
      steady: true,
    });
    // The meso level refuses per-synapse heterogeneity; micro-cpu stores every network explicitly.
    cases.push({
      workload: 'recurrent',
      variant: 'per-synapse STP',
      axis: 'N',
      value: N,
      scenario: recurrent(N, z.recurrentDuration, 'per-synapse STP'),
      engines: ['micro-gpu', 'micro-cpu'],
    });
    cases.push({
      workload: 'recurrent',
      variant: 'procedural',
      axis: 'N',
      value: N,
      scenario: recurrent(N, z.recurrentDuration, 'procedural'),
      engines: ['micro-gpu'],
    });
  }
  for (const N of z.proceduralN) {
    cases.push({
      workload: 'recurrent',
      variant: 'procedural',
      axis: 'N',
      value: N,
      scenario: recurrent(N, z.recurrentDuration / 4, 'procedural'),
      engines: ['micro-gpu'],
    });
  }
  const mc = z.peerMonteCarlo;
  cases.push({
    workload: 'feedforward',
    variant: MONTE_CARLO_VARIANT,
    axis: 'B',
    value: mc.trials,
    scenario: monteCarlo(mc.trials, mc.duration),
    // The micro engines only: meso and macro integrate every one of the B trials at dt = 0.1 ms (about
    // ten minutes each at B = 1024 on two cores), and the V2 preset case above already measures them.
    engines: mc.trials > 1 ? ['micro-gpu', 'micro-cpu', 'micro-cpu-all'] : ['micro-gpu', 'micro-cpu'],
    peer: 'feedforward_mc',
  });
  const pr = recurrent(z.peerRecurrent.N, z.peerRecurrent.duration, 'per-presynaptic STP');
  pr.run.dt = 1e-4;
  cases.push({
    workload: 'recurrent',
    variant: PEER_RECURRENT_VARIANT,
    axis: 'N',
    value: z.peerRecurrent.N,
    scenario: pr,
    engines: ['micro-gpu', 'micro-cpu', 'meso-mf2', 'macro'],
    peer: 'recurrent',
  });
  const { N, C } = z.setup;
  const setup = recurrent(N, 0.005, 'per-presynaptic STP', C);
  cases.push({ workload: 'set-up', variant: `C = ${C}, explicit`, axis: 'N', value: N, scenario: setup, engines: ['micro-gpu', 'micro-cpu'], setupOnly: true });
  cases.push({
    workload: 'set-up',
    variant: `C = ${C}, procedural`,
    axis: 'N',
    value: N,
    scenario: recurrent(N, 0.005, 'procedural', C),
    engines: ['micro-gpu'],
    setupOnly: true,
  });
  return cases;
}

/** Mean out-degree of a projection of a scenario (exact for all-to-all and fixed in-degree, expected for fixed probability). */
export function meanOutDegree(s: Record<string, any>, p: Record<string, any>): number {
  const nPre = s.populations[p.from].N;
  const nPost = s.populations[p.to].N;
  const c = p.connectivity;
  const self = p.from === p.to && !c.autapses;
  if (c.type === 'all-to-all') return self ? nPost - 1 : nPost;
  if (c.type === 'fixed-indegree') return (c.C * nPost) / nPre;
  return c.p * (self ? nPost - 1 : nPost);
}

/**
 * simulateMicroCpu: the float64 reference engine. Trials of the range advance step-major
 * (every trial takes step n before any takes step n + 1), so a cancelled run leaves every
 * trial at the same completedSteps. The step is documented in docs/step-semantics.md.
 */
import { stepsPerBin, type Progress, type Recording } from '../../model/recording';
import type { Scenario } from '../../model/scenario';
import { Purpose, purposeWord, seedWord } from '../../rng/streams';
import { compileNetwork, FILTER_CASCADE, FILTER_DELTA, FILTER_DUAL, FILTER_EXP, FILTER_KINETIC, FILTER_SYN_KINETIC, FILTER_SYN_Y, type Network, type ProjectionPlan } from './network';
import { stepPopulation, type StepContext } from './neurons';
import { advanceSynapseFilters, applyPulses, collectInput, createScratch, deliver, propagate, type Scratch } from './projections';
import { Recorder } from './record';
import { createNetworkState, type NetworkState } from './state';
import { timeFunctionAt } from './timeFunction';

export interface MicroCpuOptions {
  /** Trials [from, to) to simulate (default all): lets a caller spread trials over worker threads. */
  trialRange?: [number, number];
  onProgress?: (p: Progress) => void;
  /** Checked between chunks of steps; on abort the steps computed so far are returned (cancelled: true). */
  signal?: AbortSignal;
  /** Steps between progress reports and abort checks (default 1000). */
  chunkSteps?: number;
}

function step(net: Network, state: NetworkState, ctx: StepContext, sc: Scratch): void {
  const { n, t, dt, T } = ctx;
  const pops = net.populations;
  const projs = net.projections;
  for (let q = 0; q < projs.length; q++) {
    const pr = projs[q];
    deliver(pr, state.projections[q], pops[pr.post], state.populations[pr.post], T, n, t, sc);
  }
  for (let p = 0; p < pops.length; p++) if (pops[p].pulseInput) applyPulses(pops[p], state.populations[p], state.projections, T);
  for (let q = 0; q < projs.length; q++) {
    const pr = projs[q];
    collectInput(pr, state.projections[q], pops[pr.post], state.populations[pr.post], T, n, t, dt, sc);
  }
  for (let p = 0; p < pops.length; p++) stepPopulation(pops[p], state.populations[p], ctx, timeFunctionAt(pops[p].drive, n, dt));
  for (let q = 0; q < projs.length; q++) {
    const pr = projs[q];
    const pre = state.populations[pr.pre];
    if (pre.spikeCount > 0) propagate(pr, state.projections[q], pre, T, n, t, sc);
    if (pr.filter === FILTER_SYN_Y || pr.filter === FILTER_SYN_KINETIC) advanceSynapseFilters(pr, state.projections[q], T, n, t, dt, sc);
  }
}

/** Where a projection's filter state lives (reported in recording.engine.filterState). */
function filterPlacement(pr: ProjectionPlan): string {
  switch (pr.filter) {
    case FILTER_DELTA:
      return 'none (instantaneous)';
    case FILTER_EXP:
    case FILTER_DUAL:
    case FILTER_CASCADE:
      return 'per-postsynaptic-neuron';
    case FILTER_KINETIC:
      return 'per-presynaptic-neuron';
    default:
      return 'per-synapse';
  }
}

export function simulateMicroCpu(scenario: Scenario, options: MicroCpuOptions = {}): Recording {
  const start = performance.now();
  const [from, to] = options.trialRange ?? [0, scenario.run.trials];
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from < to && to <= scenario.run.trials)) {
    throw new RangeError(`micro-cpu: trialRange [${from}, ${to}) must lie within [0, ${scenario.run.trials}) and be non-empty`);
  }
  const T = to - from;
  const net = compileNetwork(scenario);
  const { dt, steps } = net;
  const binSteps = stepsPerBin(scenario);
  const totalBins = Math.floor(steps / binSteps);
  const recorder = new Recorder(net, scenario, T, totalBins, binSteps);
  const state = createNetworkState(net, T, (p) => recorder.recordsInput(p));
  const sc = createScratch();
  const ctx: StepContext = { n: 0, t: 0, dt, seed: seedWord(scenario.run.seed), spikeWord: purposeWord(Purpose.spike), trialFrom: from, T, words: new Uint32Array(4) };
  const chunk = Math.max(1, Math.floor(options.chunkSteps ?? 1000));
  let n = 0;
  let cancelled = false;
  while (n < steps) {
    if (options.signal?.aborted) {
      cancelled = true;
      break;
    }
    const end = Math.min(steps, n + chunk);
    for (; n < end; n++) {
      ctx.n = n;
      ctx.t = n * dt;
      step(net, state, ctx, sc);
      recorder.afterStep(n, ctx.t, state);
      if ((n + 1) % binSteps === 0 && n < totalBins * binSteps) recorder.endOfBin((n + 1) / binSteps - 1, (n + 1) * dt, state);
    }
    options.onProgress?.({ fraction: n / steps, completedSteps: n, steps });
  }
  const bins = Math.floor(n / binSteps);
  const binSize = binSteps * dt;
  const recorded = recorder.finish(bins, binSize);
  const stpState: Record<string, string> = {};
  const filterState: Record<string, string> = {};
  const synapses: Record<string, number> = {};
  const storage: Record<string, string> = {};
  for (const pr of net.projections) {
    synapses[pr.name] = pr.nSyn;
    if (pr.stpPlacement !== 'none') stpState[pr.name] = pr.stpPlacement;
    filterState[pr.name] = filterPlacement(pr);
    storage[pr.name] = pr.storage === 'procedural' ? 'explicit (procedural requested: a GPU-engine option; same random connectivity, stored)' : 'explicit';
  }
  return {
    level: 'micro-cpu',
    scenario,
    trials: T,
    dt,
    steps,
    completedSteps: n,
    cancelled,
    binSize,
    bins,
    ...recorded,
    wallSeconds: (performance.now() - start) / 1000,
    engine: { name: 'micro-cpu (float64, event-driven)', stpState, filterState, storage, synapses, threads: 1, trialRange: [from, to] },
  };
}

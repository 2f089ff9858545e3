/**
 * simulateMicroCpu: the float64 reference engine. Trials of the range advance step-major
 * (every trial takes step n before any takes step n + 1), so a cancelled run leaves every
 * trial at the same completedSteps. The step is documented in docs/step-semantics.md.
 * With record.trials 'stats' the range runs in batches of trials (src/model/trialBatches.ts),
 * so that neither the state nor the arrays grow with the number of trials; a cancel then stops
 * the batch it falls in.
 */
import { stepsPerBin, type Progress, type Recording } from '../../model/recording';
import { statsFromArrays } from '../../model/recordingStats';
import { recordingBytesPerTrial } from '../../model/recordingMemory';
import { statsBatchTrials, TrialBatches } from '../../model/trialBatches';
import type { Scenario } from '../../model/scenario';
import { Purpose, purposeWord, seedWord } from '../../rng/streams';
import { compileNetwork, filterPlacement, FILTER_SYN_KINETIC, FILTER_SYN_Y, type Network, poissonSchemes } from '../../compile';
import { stepPopulation, type StepContext } from './neurons';
import { advanceSynapseFilters, applyPulses, collectInput, createScratch, deliver, propagate, type Scratch } from './projections';
import { Recorder } from './record';
import { createNetworkState, type NetworkState } from './state';
import { timeFunctionAt } from '../../model/timeFunction';
import { PhiloxBlockSource } from '../../rng/philoxWasm';

export interface MicroCpuOptions {
  /** Trials [from, to) to simulate (default all): lets a caller spread trials over worker threads. */
  trialRange?: [number, number];
  onProgress?: (p: Progress) => void;
  /** Checked between chunks of steps; on abort the steps computed so far are returned (cancelled: true). */
  signal?: AbortSignal;
  /** Steps between progress reports and abort checks (default 1000). */
  chunkSteps?: number;
  /** record.trials 'stats': an upper bound on the trials of a batch (default: what fits in STATS_BATCH_BYTES); tests use it. */
  maxTrialsPerBatch?: number;
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

/**
 * One run of the engine, advanced chunk by chunk: the synchronous and the asynchronous entry
 * points below share it, and differ only in whether they yield to the event loop between chunks.
 */
class MicroCpuRun {
  private readonly from: number;
  private readonly to: number;
  private readonly T: number;
  private readonly net: Network;
  private readonly binSteps: number;
  private readonly totalBins: number;
  private readonly recorder: Recorder;
  private readonly state: NetworkState;
  private readonly sc: Scratch;
  private readonly ctx: StepContext;
  private readonly chunk: number;
  private n = 0;
  private cancelled = false;

  constructor(
    private readonly scenario: Scenario,
    private readonly options: Pick<MicroCpuOptions, 'onProgress' | 'signal' | 'chunkSteps'>,
    net: Network,
    [from, to]: [number, number],
    /** When the run's set-up began (the first batch's includes compiling the network). */
    private readonly start = performance.now(),
  ) {
    this.from = from;
    this.to = to;
    this.T = to - from;
    this.net = net;
    this.binSteps = stepsPerBin(scenario);
    this.totalBins = Math.floor(this.net.steps / this.binSteps);
    this.recorder = new Recorder(this.net, scenario, this.T, this.totalBins, this.binSteps);
    this.state = createNetworkState(this.net, this.T, (p) => this.recorder.recordsInput(p), from);
    this.sc = createScratch();
    this.ctx = {
      n: 0,
      t: 0,
      dt: this.net.dt,
      seed: seedWord(scenario.run.seed),
      spikeWord: purposeWord(Purpose.spike),
      trialFrom: from,
      T: this.T,
      words: new Uint32Array(4),
      blocks: new PhiloxBlockSource(),
    };
    this.chunk = Math.max(1, Math.floor(options.chunkSteps ?? 1000));
    this.setupSeconds = (performance.now() - this.start) / 1000;
  }

  /** Seconds spent building the network and the state before the first step. */
  private readonly setupSeconds: number;

  /** Runs one chunk of steps unless the run is finished or aborted; false when there is nothing left to do. */
  advance(): boolean {
    const { net, state, ctx, sc, recorder, binSteps, totalBins } = this;
    const { steps, dt } = net;
    if (this.n >= steps) return false;
    if (this.options.signal?.aborted) {
      this.cancelled = true;
      return false;
    }
    const end = Math.min(steps, this.n + this.chunk);
    for (let n = this.n; n < end; n++) {
      ctx.n = n;
      ctx.t = n * dt;
      step(net, state, ctx, sc);
      recorder.afterStep(n, ctx.t, state);
      if ((n + 1) % binSteps === 0 && n < totalBins * binSteps) recorder.endOfBin((n + 1) / binSteps - 1, (n + 1) * dt, state);
    }
    this.n = end;
    this.options.onProgress?.({ fraction: end / steps, completedSteps: end, steps });
    return true;
  }

  finish(): Recording {
    const { net, n } = this;
    const bins = Math.floor(n / this.binSteps);
    const binSize = this.binSteps * net.dt;
    const recorded = this.recorder.finish(bins, binSize);
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
      scenario: this.scenario,
      trials: this.T,
      keptTrials: this.T,
      dt: net.dt,
      steps: net.steps,
      completedSteps: n,
      cancelled: this.cancelled,
      binSize,
      bins,
      ...recorded,
      stats: statsFromArrays({ trials: this.T, bins, ...recorded }),
      wallSeconds: (performance.now() - this.start) / 1000,
      engine: {
        name: 'micro-cpu (float64, event-driven)',
        poissonSources: poissonSchemes(net.populations),
        stpState,
        filterState,
        storage,
        synapses,
        threads: 1,
        trialRange: [this.from, this.to],
        setupSeconds: this.setupSeconds,
      },
    };
  }
}

/**
 * Bytes of one trial's state, roughly (float64 per neuron variable, ring slot, filter stage and
 * STP entry variable): with the recording's, it sizes the batches of 'stats' mode.
 */
function stateBytesPerTrial(net: Network): number {
  let b = 0;
  for (const p of net.populations) b += p.N * (8 * (8 + p.adaptDecay.length) + 8);
  for (const pr of net.projections) {
    b += 8 * (pr.delaySteps + 4) * Math.max(pr.nPost, pr.nPre);
    if (pr.stpPlacement !== 'none') b += 8 * 4 * (pr.stpPlacement === 'per-synapse' ? pr.nSyn : pr.nPre);
    if (pr.filter === FILTER_SYN_Y || pr.filter === FILTER_SYN_KINETIC) b += 8 * 4 * pr.nSyn;
    if (pr.perTrial) b += 4 * (pr.nPre + 1 + pr.nSyn);
  }
  return b;
}

/** The range of options.trialRange, in batches under record.trials 'stats' (one batch otherwise). */
function batchedRun(scenario: Scenario, options: MicroCpuOptions): TrialBatches {
  const [from, to] = options.trialRange ?? [0, scenario.run.trials];
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from < to && to <= scenario.run.trials)) {
    throw new RangeError(`micro-cpu: trialRange [${from}, ${to}) must lie within [0, ${scenario.run.trials}) and be non-empty`);
  }
  const started = performance.now();
  const net = compileNetwork(scenario, { engine: 'micro-cpu' });
  const perBatch =
    scenario.record.trials === 'stats' ? statsBatchTrials(recordingBytesPerTrial(scenario) + stateBytesPerTrial(net), options.maxTrialsPerBatch) : to - from;
  return new TrialBatches({
    scenario,
    range: [from, to],
    perBatch,
    steps: net.steps,
    onProgress: options.onProgress,
    signal: options.signal,
    started,
    start: (range, onProgress) =>
      new MicroCpuRun(
        scenario,
        { signal: options.signal, chunkSteps: options.chunkSteps, onProgress },
        net,
        range,
        range[0] === from ? started : performance.now(),
      ),
  });
}

/** Runs to the end (or to an abort seen between chunks) without yielding: for worker threads and tests. */
export function simulateMicroCpu(scenario: Scenario, options: MicroCpuOptions = {}): Recording {
  const r = batchedRun(scenario, options);
  while (r.advance());
  return r.finish();
}

/**
 * The same run, yielding to the event loop between chunks so that on the main thread a Ctrl-C
 * handler, an abort from the UI or a timer can act while it runs.
 */
export async function simulateMicroCpuAsync(scenario: Scenario, options: MicroCpuOptions = {}): Promise<Recording> {
  const r = batchedRun(scenario, options);
  while (r.advance()) await yieldToEventLoop();
  return r.finish();
}

function yieldToEventLoop(): Promise<void> {
  // setTimeout(0) would be clamped to ≥ 1 ms after a few nestings in browsers; a MessageChannel round trip is not.
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

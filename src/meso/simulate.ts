/**
 * The mesoscopic engine (level 'meso') and its N → ∞ limit (level 'macro'): population equations
 * of Schwalger, Deger & Gerstner (2017) with the STP mean-field of Schmutz, Gerstner & Schwalger
 * (2020), on the micro engine's time grid and step order (docs/step-semantics.md), so that a
 * recording of any level compares with any other bin by bin. The algorithm as implemented is
 * written down in docs/meso.md.
 *
 * Per step: deliver the delayed kicks into the filters; sample the input; each population's
 * expected spike count n̄ from its age bins (population.ts); draw n ~ Binomial(N, n̄/N) (macro:
 * n = n̄); the STP-weighted activity y of each projection (stpMeanField.ts) goes into its delay
 * ring as the kick J·C·y·dt of the population-mean input.
 */

import { FILTER_CASCADE, FILTER_DELTA, FILTER_DUAL, FILTER_EXP, NEURON_POISSON, STP_MODELS, type CompiledPopulation } from '../compile';
import { compileMesoNetwork, type MesoNetwork, type MesoProjection } from './network';
import { cutBins, stepsPerBin, stepCount, type InputRecording, type Progress, type Recording, type SpikeRecording } from '../model/recording';
import { recordingBytesPerTrial } from '../model/recordingMemory';
import { statsFromArrays } from '../model/recordingStats';
import type { Scenario } from '../model/scenario';
import { statsBatchTrials, TrialBatches } from '../model/trialBatches';
import { timeFunctionAt } from '../model/timeFunction';
import { normalPairFromBits } from '../rng/philox';
import { PhiloxBlockSource } from '../rng/philoxWasm';
import { Purpose, purposeWord, seedWord } from '../rng/streams';
import { cascadeAdvance } from '../synapse/cascade';
import { dualExpAdvance, exponentialAdvance, nmdaBlock } from '../synapse/filters';
import { PhiloxUniforms, sampleBinomial } from './binomial';
import { historyLength, MesoPopulation, type ConductanceInput, type StpTrack } from './population';
import { StationaryMap } from './fixedPoints';
import { cascadeStationary, renewalStationary, stationaryMeans } from './stationary';
import { STP_MEAN_FIELD_DEFAULT, StpMeanField, type StpMeanFieldOrder } from './stpMeanField';

export type MesoLevel = 'meso' | 'macro';

export interface MesoOptions {
  level: MesoLevel;
  /** STP mean-field order (default 'age': it equals 'mf2' for Poisson populations, docs/meso.md). */
  stp?: StpMeanFieldOrder;
  /**
   * What drives the STP second moments: the expected activity Ā (default, docs/equations.md §5: the
   * moments describe the spread of u, x given the past, not one realisation of it) or the realised A_N.
   */
  moments?: 'expected' | 'realised';
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Steps between progress reports and abort checks (default 1000). */
  chunkSteps?: number;
  /** record.trials 'stats': an upper bound on the trials of a batch (default: what fits in STATS_BATCH_BYTES); tests use it. */
  maxTrialsPerBatch?: number;
  /** Only these trials (global indices; default every trial). */
  trialRange?: [number, number];
  /**
   * Start every trial at the stationary state with these population rates (Hz; a fixed point of
   * `mesostp analyze`, drives taken at t = 0) instead of at rest; `kick` then moves a fraction of a
   * population's neurons into the bin of the last step, as if they had just fired (a perturbation).
   */
  initial?: { rates: Record<string, number>; kick?: { population: string; fraction: number } };
}

interface TrialState {
  pops: MesoPopulation[];
  stp: StpMeanField[];
  /** 'age' mode: the age-resolved STP state of each projection on its presynaptic population (null: Poisson source or no STP). */
  tracks: (StpTrack | null)[];
  rings: Float64Array[];
  g: Float64Array[];
  h: Float64Array[];
  /** Three-stage cascades (three-state STP with a dual-exponential or alpha filter): stage arrays per projection. */
  stages: (Float64Array[] | null)[];
  /** Delta kicks delivered this step, per projection and channel. */
  delta: Float64Array[];
}

class MesoRun {
  private readonly dt: number;
  private readonly steps: number;
  private readonly T: number;
  /** The global index of the first trial: the trials' Philox counters. */
  private readonly from: number;
  private readonly pops: CompiledPopulation[];
  private readonly projs: MesoProjection[];
  private readonly order: StpMeanFieldOrder;
  private readonly macro: boolean;
  private readonly realisedMoments: boolean;
  private readonly trials: TrialState[];
  private readonly binSteps: number;
  private readonly totalBins: number;
  private readonly activity: Float64Array[];
  /** Sampled neurons per population whose input is recorded (0: none); −1: input not recorded. */
  private readonly sampled: number[];
  private readonly inputMean: (Float64Array | null)[];
  private readonly inputSampled: (Float64Array | null)[];
  private readonly stpNames: string[][];
  private readonly stpRec: (Float64Array[] | null)[];
  private readonly cond: (ConductanceInput | null)[];
  private readonly counts: PhiloxUniforms[];
  private readonly seed: number;
  private readonly noiseWord = purposeWord(Purpose.mesoNoise);
  /** Philox blocks of the synaptic noise, from WebAssembly where available (the same bits as philox4x32Into). */
  private readonly blocks = new PhiloxBlockSource();
  private readonly normals = new Float64Array(4);
  private readonly chunk: number;
  private n = 0;
  private cancelled = false;
  private uniformsUsed = 0;
  private draws = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly options: MesoOptions,
    net: MesoNetwork,
    [from, to]: [number, number],
    /** When the run's set-up began (the first batch's includes compiling the network). */
    private readonly start = performance.now(),
  ) {
    this.dt = scenario.run.dt;
    this.steps = stepCount(scenario);
    this.from = from;
    this.T = to - from;
    this.order = options.stp ?? STP_MEAN_FIELD_DEFAULT;
    this.macro = options.level === 'macro';
    this.realisedMoments = options.moments === 'realised';
    this.seed = seedWord(scenario.run.seed);
    this.chunk = Math.max(1, Math.floor(options.chunkSteps ?? 1000));
    this.pops = net.pops;
    this.sampled = net.sampled;
    this.projs = net.projs;
    this.cond = net.cond;
    this.trials = Array.from({ length: this.T }, () => {
      const pops = this.pops.map((p) => new MesoPopulation(p, this.dt));
      const tracks = this.projs.map((q) => {
        const kind = q.stp;
        // Three-state keeps the population means: its y and z pools do not change which neurons fire.
        if (this.order !== 'age' || kind.model === 'none' || kind.model === 'three-state' || this.pops[q.pre].model === NEURON_POISSON) return null;
        return pops[q.pre].addStpTrack(kind, this.dt);
      });
      return {
        pops,
        tracks,
        stp: this.projs.map((q) => new StpMeanField(q.stp, this.order, q.channels, this.dt)),
        rings: this.projs.map((q) => new Float64Array((q.delaySteps + 1) * q.channels)),
        g: this.projs.map((q) => new Float64Array(q.channels)),
        h: this.projs.map((q) => new Float64Array(q.channels)),
        stages: this.projs.map((q) => (q.filter === FILTER_CASCADE ? Array.from({ length: q.cascadeProp!.n }, () => new Float64Array(q.channels)) : null)),
        delta: this.projs.map((q) => new Float64Array(q.channels)),
      };
    });
    if (options.initial) this.startStationary(options.initial);
    this.counts = this.pops.map((p) => new PhiloxUniforms(this.seed, p.index, Purpose.mesoCount));
    this.binSteps = stepsPerBin(scenario);
    this.totalBins = Math.floor(this.steps / this.binSteps);
    this.activity = this.pops.map(() => new Float64Array(this.T * this.totalBins));
    this.inputMean = this.sampled.map((m) => (m >= 0 ? new Float64Array(this.T * this.totalBins) : null));
    this.inputSampled = this.sampled.map((m) => (m >= 0 ? new Float64Array(this.T * m * this.totalBins) : null));
    this.stpNames = this.projs.map((q) => [...STP_MODELS[q.stp.model].variables]);
    this.stpRec = this.projs.map((_, i) =>
      scenario.record.stp && this.stpNames[i].length > 0 ? this.stpNames[i].map(() => new Float64Array(this.T * this.totalBins)) : null,
    );
    this.setupSeconds = (performance.now() - this.start) / 1000;
  }

  /** Seconds spent compiling the network and allocating the state before the first step. */
  private readonly setupSeconds: number;

  /** See MesoOptions.initial. */
  private startStationary(init: NonNullable<MesoOptions['initial']>): void {
    const map = new StationaryMap(this.scenario, { stp: this.order });
    const free = map.free.map((i) => {
      const r = init.rates[this.pops[i].name];
      if (!(r >= 0)) throw new Error(`initial.rates: give a rate ≥ 0 (Hz) for population "${this.pops[i].name}"`);
      return r;
    });
    map.evaluate(free);
    const rates = map.allRates(free);
    const dt = this.dt;
    const renewal = this.pops.map((p, i) => renewalStationary(p, map.drives[i], map.input[i], dt, rates[i], this.trials[0].pops[i].K));
    for (const st of this.trials) {
      this.pops.forEach((p, i) => {
        if (p.model !== NEURON_POISSON) st.pops[i].setStationary(rates[i], dt, renewal[i].ages!);
      });
      this.projs.forEach((q, k) => {
        const r = rates[q.pre];
        const gen = renewal[q.pre].isiGenerating;
        const mf = stationaryMeans(q.stp, this.order === 'age' ? 'mf2' : this.order, r, dt);
        st.stp[k].setStationary(mf.u, mf.x, r, mf.y, mf.z);
        const track = st.tracks[k];
        if (track) {
          if (track.facilitating) st.pops[q.pre].setTrackStationary(track, track.U + (1 - track.U) * mf.u, mf.x - mf.W, renewal[q.pre].ages!);
          else {
            const age = stationaryMeans(q.stp, 'age', r, dt, gen);
            st.pops[q.pre].setTrackStationary(track, track.U, age.x - age.W, renewal[q.pre].ages!, (1 - track.U) ** 2 * age.x2!);
          }
        }
        const kick = q.weight * q.C * map.efficacy[k] * r * dt * q.kickScale;
        const ring = st.rings[k];
        ring.fill(kick);
        // The slot written in step 0 is empty at the start.
        for (let c = 0; c < q.channels; c++) ring[q.delaySteps * q.channels + c] = 0;
        if (q.filter === FILTER_EXP) st.g[k].fill(kick / (1 - q.expProp!.decay) - kick);
        else if (q.filter === FILTER_DUAL) {
          const h = kick / (1 - q.dualProp!.hh);
          st.h[k].fill(h - kick);
          st.g[k].fill((h * q.dualProp!.hg) / (1 - q.dualProp!.gg));
        } else if (q.filter === FILTER_CASCADE) {
          const after = cascadeStationary(q.cascadeProp!, kick);
          st.stages[k]!.forEach((stage, j) => {
            stage.fill(after[j] - (j === 0 ? kick : 0));
          });
        }
      });
      if (init.kick) {
        const i = this.pops.findIndex((p) => p.name === init.kick!.population);
        if (i < 0 || this.pops[i].model === NEURON_POISSON)
          throw new Error(`initial.kick.population: "${init.kick.population}" is not a neuron population of the scenario`);
        st.pops[i].kick(init.kick.fraction);
      }
    }
  }

  advance(): boolean {
    if (this.n >= this.steps) return false;
    if (this.options.signal?.aborted) {
      this.cancelled = true;
      return false;
    }
    const end = Math.min(this.steps, this.n + this.chunk);
    for (let b = 0; b < this.T; b++) for (let n = this.n; n < end; n++) this.step(b, n);
    this.n = end;
    this.options.onProgress?.({ fraction: end / this.steps, completedSteps: end, steps: this.steps });
    return true;
  }

  private step(b: number, n: number): void {
    const st = this.trials[b];
    const dt = this.dt;
    const projs = this.projs;
    // 1. Deliver the kicks due now.
    for (let q = 0; q < projs.length; q++) {
      const pr = projs[q];
      const ch = pr.channels;
      const ring = st.rings[q];
      const base = (n % (pr.delaySteps + 1)) * ch;
      const g = st.g[q];
      const h = st.h[q];
      const d = st.delta[q];
      for (let c = 0; c < ch; c++) {
        const kick = ring[base + c];
        ring[base + c] = 0;
        if (pr.filter === FILTER_DELTA) d[c] = kick;
        else if (pr.filter === FILTER_EXP) g[c] += kick;
        else if (pr.filter === FILTER_DUAL) h[c] += kick;
        else st.stages[q]![0][c] += kick;
      }
    }
    const bin = Math.floor(n / this.binSteps);
    const inBin = bin < this.totalBins;
    const w = 1 / this.binSteps;
    // 2 and 3. Input and neurons, population by population.
    for (let p = 0; p < this.pops.length; p++) {
      const plan = this.pops[p];
      const pop = st.pops[p];
      const drive = timeFunctionAt(plan.drive, n, dt);
      let Icur = 0;
      let deltaKick = 0;
      const cond = this.cond[p];
      if (plan.model !== NEURON_POISSON) {
        for (let q = 0; q < projs.length; q++) {
          const pr = projs[q];
          if (pr.post !== p) continue;
          if (pr.filter === FILTER_DELTA) deltaKick += st.delta[q][0];
          else if (pr.conductance) cond!.g[pr.condSlot] = pr.outScale * filterValue(st, q, 0);
          else Icur += currentInput(pr, st, q, 0);
        }
      }
      const nBar = pop.expectedCount(drive, Icur, cond, deltaKick, dt);
      if (inBin && this.inputMean[p]) this.recordInput(p, b, bin, w, Icur, deltaKick, pop.meanV, st);
      let count: number;
      if (this.macro) count = nBar;
      else {
        const rng = this.counts[p];
        rng.reset(n, this.from + b);
        count = sampleBinomial(plan.N, nBar / plan.N, rng);
        this.uniformsUsed += rng.used;
        this.draws++;
      }
      pop.commit(count);
      if (inBin) this.activity[p][b * this.totalBins + bin] += count;
    }
    // Filters advance to t_{n+1} after being sampled.
    for (let q = 0; q < projs.length; q++) {
      const pr = projs[q];
      if (pr.filter === FILTER_EXP) for (let c = 0; c < pr.channels; c++) exponentialAdvance(pr.expProp!, st.g[q], c);
      else if (pr.filter === FILTER_DUAL) for (let c = 0; c < pr.channels; c++) dualExpAdvance(pr.dualProp!, st.g[q], st.h[q], c);
      else if (pr.filter === FILTER_CASCADE) for (let c = 0; c < pr.channels; c++) cascadeAdvance(pr.cascadeProp!, st.stages[q]!, c);
    }
    // 4. The STP-weighted activity of each projection, into its delay ring.
    for (let q = 0; q < projs.length; q++) {
      const pr = projs[q];
      const pre = st.pops[pr.pre];
      const N = pre.N;
      const A = pre.count / (N * dt);
      const Abar = pre.expected / (N * dt);
      const stp = st.stp[q];
      const ring = st.rings[q];
      const slot = ((n + pr.delaySteps) % (pr.delaySteps + 1)) * pr.channels;
      const scale = pr.weight * pr.C * dt * pr.kickScale;
      let xi0 = 0;
      const track = st.tracks[q];
      for (let c = 0; c < pr.channels; c++) {
        let W = stp.efficacy(c, c === 0 ? N : pr.C, N);
        if (c === 0 && track) W = track.spikeW;
        let y = W * A;
        if (!this.macro) {
          // All-to-all: every channel sees the population channel's noise (one normal per step).
          if ((c & 3) === 0 && !(pr.shared && c > 0)) this.noiseBlock(q, c >>> 2, n, this.from + b, pr.shared ? 1 : pr.channels - c);
          if (pr.shared && c === 0) xi0 = this.normals[0];
          const xi = pr.shared ? xi0 : this.normals[c & 3];
          // The age-resolved track knows the spread of the spikers' efficacies (population channel, no facilitation).
          const spread = c === 0 && track && !track.facilitating ? Math.max(0, track.spikeW2 - W * W) / N : stp.noiseFactor;
          const variance = (Abar / dt) * spread;
          if (variance > 0) y += Math.sqrt(variance) * xi;
        }
        // A sampled neuron's partners fire as y/W̄ implies; the population channel knows its count.
        const fired = c === 0 || !(W > 0) ? pre.count / N : (y * dt) / W;
        stp.release(c, y, fired, dt);
        ring[slot + c] += scale * y;
      }
      stp.advanceMoments(this.realisedMoments ? A : Abar, dt);
    }
    // 5. STP variables at the end of each bin.
    if (inBin && (n + 1) % this.binSteps === 0) {
      for (let q = 0; q < projs.length; q++) {
        const rec = this.stpRec[q];
        if (!rec) continue;
        const track = st.tracks[q];
        const vars = track ? (this.stpNames[q].length === 1 ? { x: track.meanX } : { u: track.meanU, x: track.meanX }) : st.stp[q].variables();
        this.stpNames[q].forEach((name, v) => {
          rec[v][b * this.totalBins + bin] = vars[name];
        });
      }
    }
  }

  /**
   * The standard normals for channels 4k … 4k+3 of projection q: key (seed, q), counter (k, n,
   * trial, mesoNoise); the second pair only where more than two of them are used.
   */
  private noiseBlock(q: number, k: number, n: number, trial: number, used: number): void {
    const words = this.blocks.fill(k, 1, n, trial, this.noiseWord, this.seed, q);
    normalPairFromBits(words[0], words[1], this.normals, 0);
    if (used > 2) normalPairFromBits(words[2], words[3], this.normals, 2);
  }

  /**
   * The recorded input of step n, as the micro engine defines it (step 2): filters at t_n times
   * outScale, delta kicks as τm·kick/dt, conductances as −g·B(V)·(V − E) at the mean potential.
   */
  private recordInput(p: number, b: number, bin: number, w: number, Icur: number, deltaKick: number, meanV: number, st: TrialState): void {
    const plan = this.pops[p];
    const bins = this.totalBins;
    const m = this.sampled[p];
    const cond = this.cond[p];
    let I = Icur + (plan.tauM * deltaKick) / this.dt;
    if (cond)
      for (let c = 0; c < cond.g.length; c++) I -= cond.g[c] * (cond.mg[c] > 0 ? nmdaBlock(meanV + plan.restPotential, cond.mg[c]) : 1) * (meanV - cond.E[c]);
    this.inputMean[p]![b * bins + bin] += I * w;
    const sampled = this.inputSampled[p]!;
    for (let i = 0; i < m; i++) {
      let Ii = 0;
      for (let q = 0; q < this.projs.length; q++) {
        const pr = this.projs[q];
        if (pr.post !== p) continue;
        const c = i + 1;
        if (pr.filter === FILTER_DELTA) Ii += (plan.tauM * st.delta[q][c]) / this.dt;
        else if (pr.conductance) {
          const gi = pr.outScale * filterValue(st, q, c);
          Ii += -gi * (pr.mg > 0 ? nmdaBlock(meanV + plan.restPotential, pr.mg) : 1) * (meanV - pr.E);
        } else Ii += currentInput(pr, st, q, c);
      }
      sampled[(b * m + i) * bins + bin] += Ii * w;
    }
  }

  finish(): Recording {
    const bins = Math.floor(this.n / this.binSteps);
    const binSize = this.binSteps * this.dt;
    const cut = (a: Float64Array, rows: number) => cutBins(a, rows, this.totalBins, bins);
    const activity: Record<string, Float64Array> = {};
    this.pops.forEach((p, i) => {
      const a = cut(this.activity[i], this.T);
      const s = 1 / (p.N * binSize);
      for (let k = 0; k < a.length; k++) a[k] *= s;
      activity[p.name] = a;
    });
    const inputs: Record<string, InputRecording> = {};
    this.pops.forEach((p, i) => {
      const m = this.sampled[i];
      if (m < 0) return;
      inputs[p.name] = {
        neurons: Int32Array.from({ length: m }, (_, k) => k),
        sampled: cut(this.inputSampled[i]!, this.T * m),
        populationMean: cut(this.inputMean[i]!, this.T),
      };
    });
    const stp: Record<string, Record<string, Float64Array>> = {};
    this.projs.forEach((q, i) => {
      const rec = this.stpRec[i];
      if (!rec) return;
      const vars: Record<string, Float64Array> = {};
      this.stpNames[i].forEach((name, v) => {
        vars[name] = cut(rec[v], this.T);
      });
      stp[q.name] = vars;
    });
    // There are no individual neurons at this level: requested spike records are empty.
    const spikes: Record<string, SpikeRecording> = {};
    for (const r of this.scenario.record.spikes)
      spikes[r.population] = { neurons: new Int32Array(0), trial: new Int32Array(0), neuron: new Int32Array(0), time: new Float64Array(0) };
    const ageBins: Record<string, number> = {};
    this.pops.forEach((p, i) => {
      if (p.model !== NEURON_POISSON) ageBins[p.name] = this.trials[0].pops[i].K;
    });
    return {
      level: this.options.level,
      scenario: this.scenario,
      trials: this.T,
      keptTrials: this.T,
      dt: this.dt,
      steps: this.steps,
      completedSteps: this.n,
      cancelled: this.cancelled,
      binSize,
      bins,
      activity,
      inputs,
      stp,
      spikes,
      stats: statsFromArrays({ trials: this.T, bins, activity, inputs, stp }),
      wallSeconds: (performance.now() - this.start) / 1000,
      engine: {
        name: this.macro
          ? 'macro (N → ∞ limit of the population equations: no spike-count draws, no synaptic noise)'
          : 'meso (population equations of Schwalger et al. 2017, binomial spike counts)',
        stpMeanField: this.order,
        stpMoments: this.realisedMoments ? 'driven by the realised activity A_N' : 'driven by the expected activity Ā',
        ageBins,
        inDegree: Object.fromEntries(this.projs.map((q) => [q.name, q.C])),
        spikes: 'not available at this level (no individual neurons)',
        uniformsPerStep: this.draws > 0 ? this.uniformsUsed / this.draws : 0,
        setupSeconds: this.setupSeconds,
      },
    };
  }
}

/** The filter's output at the step start for channel c (the last stage of a cascade). */
function filterValue(st: TrialState, q: number, c: number): number {
  const stages = st.stages[q];
  return stages ? stages[stages.length - 1][c] : st.g[q][c];
}

/**
 * The current the membrane holds over the step from projection q, channel c: the output stage
 * times outScale, or under run.integration 'exact' the stages' coupling (compile/filter.ts
 * exactInputCoupling; the order of the micro engines: rise to output).
 */
function currentInput(pr: MesoProjection, st: TrialState, q: number, c: number): number {
  const k = pr.inputCoupling;
  if (!k) return pr.outScale * filterValue(st, q, c);
  const stages = st.stages[q];
  if (stages) {
    let sum = 0;
    for (let j = 0; j < stages.length; j++) sum += k[j] * stages[j][c];
    return sum;
  }
  return pr.filter === FILTER_DUAL ? k[0] * st.h[q][c] + k[1] * st.g[q][c] : k[0] * st.g[q][c];
}

/**
 * Every trial, in batches under record.trials 'stats' (src/model/trialBatches.ts: neither the
 * trials' state nor their arrays then grow with the number of trials), in one otherwise. A
 * trial's random numbers come from counters of its global index, so batching changes none.
 */
function batchedRun(scenario: Scenario, options: MesoOptions): TrialBatches {
  const started = performance.now();
  const net = compileMesoNetwork(scenario, options.level);
  const [from, to] = options.trialRange ?? [0, scenario.run.trials];
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from < to && to <= scenario.run.trials)) {
    throw new RangeError(`${options.level}: trialRange [${from}, ${to}) must lie within [0, ${scenario.run.trials}) and be non-empty`);
  }
  const trials = to - from;
  // The age bins dominate a trial's state: about a dozen arrays of K per population.
  const stateBytes = net.pops.reduce((b, p) => b + 8 * 16 * (historyLength(p, scenario.run.dt) + 2), 0);
  const perBatch = scenario.record.trials === 'stats' ? statsBatchTrials(recordingBytesPerTrial(scenario) + stateBytes, options.maxTrialsPerBatch) : trials;
  return new TrialBatches({
    scenario,
    range: [from, to],
    perBatch,
    steps: stepCount(scenario),
    onProgress: options.onProgress,
    signal: options.signal,
    started,
    start: (range, onProgress) => new MesoRun(scenario, { ...options, onProgress }, net, range, range[0] === from ? started : performance.now()),
  });
}

/** Runs to the end (or to an abort seen between chunks) without yielding. */
export function simulateMeso(scenario: Scenario, options: MesoOptions): Recording {
  const r = batchedRun(scenario, options);
  while (r.advance());
  return r.finish();
}

/** The same run, yielding to the event loop between chunks (Ctrl-C, UI). */
export async function simulateMesoAsync(scenario: Scenario, options: MesoOptions): Promise<Recording> {
  const r = batchedRun(scenario, options);
  while (r.advance()) await new Promise<void>((resolve) => setTimeout(resolve, 0));
  return r.finish();
}

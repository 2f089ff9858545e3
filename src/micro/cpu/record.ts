/**
 * Step 5: what a run records (src/model/recording.ts), accumulated per bin of whole steps.
 * STP means are read from copies relaxed to the end of the bin, so reading never disturbs the
 * lazy (spike-time only) update of the live state.
 */
import { cutBins, type InputRecording, type SpikeRecording } from '../../model/recording';
import type { Scenario } from '../../model/scenario';
import { STP_MODELS, STP_NONE, stpVariables, type Network } from '../../compile';
import type { NetworkState } from './state';

class Growable<A extends Int32Array | Float64Array> {
  length = 0;
  constructor(
    public data: A,
    private readonly make: (n: number) => A,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

const ints = (n: number) => new Int32Array(n);
const floats = (n: number) => new Float64Array(n);

interface InputRec {
  pop: number;
  N: number;
  m: number;
  sampled: Float64Array;
  mean: Float64Array;
}

interface SpikeRec {
  pop: number;
  m: number;
  trial: Growable<Int32Array>;
  neuron: Growable<Int32Array>;
  time: Growable<Float64Array>;
}

interface StpRec {
  proj: number;
  names: string[];
  arrays: Float64Array[];
}

export class Recorder {
  readonly activity: Float64Array[];
  private readonly inputs: InputRec[] = [];
  private readonly spikeRecs: SpikeRec[] = [];
  private readonly stpRecs: StpRec[] = [];
  private readonly inputByPop: (InputRec | undefined)[];
  private readonly spikeByPop: (SpikeRec | undefined)[];
  private readonly sums = new Float64Array(Math.max(...Object.values(STP_MODELS).map((m) => m.variables.length)));

  constructor(
    private readonly net: Network,
    scenario: Scenario,
    private readonly T: number,
    private readonly totalBins: number,
    private readonly binSteps: number,
  ) {
    const pops = net.populations;
    this.activity = pops.map(() => new Float64Array(T * totalBins));
    this.inputByPop = pops.map(() => undefined);
    this.spikeByPop = pops.map(() => undefined);
    for (const r of scenario.record.inputs) {
      const pop = net.populationIndex.get(r.population)!;
      const old = this.inputByPop[pop];
      const m = Math.min(Math.max(r.neurons, old?.m ?? 0), pops[pop].N);
      const rec: InputRec = { pop, N: pops[pop].N, m, sampled: new Float64Array(T * m * totalBins), mean: new Float64Array(T * totalBins) };
      if (old) this.inputs.splice(this.inputs.indexOf(old), 1);
      this.inputs.push(rec);
      this.inputByPop[pop] = rec;
    }
    for (const r of scenario.record.spikes) {
      const pop = net.populationIndex.get(r.population)!;
      const m = Math.min(Math.max(r.neurons, this.spikeByPop[pop]?.m ?? 0), pops[pop].N);
      const rec = this.spikeByPop[pop] ?? {
        pop,
        m,
        trial: new Growable(ints(256), ints),
        neuron: new Growable(ints(256), ints),
        time: new Growable(floats(256), floats),
      };
      rec.m = m;
      if (!this.spikeByPop[pop]) this.spikeRecs.push(rec);
      this.spikeByPop[pop] = rec;
    }
    if (scenario.record.stp) {
      for (const pr of net.projections) {
        if (pr.stpModel === STP_NONE) continue;
        const names = stpVariables(pr.stpModel);
        this.stpRecs.push({ proj: pr.index, names: [...names], arrays: names.map(() => new Float64Array(T * totalBins)) });
      }
    }
  }

  recordsInput(pop: number): boolean {
    return this.inputByPop[pop] !== undefined;
  }

  /** Spikes and inputs of step n (bin = ⌊n / binSteps⌋; steps past the last whole bin record only spikes). */
  afterStep(n: number, t: number, state: NetworkState): void {
    const bin = Math.floor(n / this.binSteps);
    const inBin = bin < this.totalBins;
    const T = this.T;
    const bins = this.totalBins;
    for (let p = 0; p < this.net.populations.length; p++) {
      const ps = state.populations[p];
      const N = this.net.populations[p].N;
      const sr = this.spikeByPop[p];
      if (inBin || sr) {
        const act = this.activity[p];
        for (let q = 0; q < ps.spikeCount; q++) {
          const k = ps.spikes[q];
          const b = (k / N) | 0;
          if (inBin) act[b * bins + bin] += 1;
          if (sr && k - b * N < sr.m) {
            sr.trial.push(b);
            sr.neuron.push(k - b * N);
            sr.time.push(t);
          }
        }
      }
    }
    if (!inBin) return;
    const w = 1 / this.binSteps;
    for (const r of this.inputs) {
      const I = state.populations[r.pop].inputNow;
      for (let b = 0; b < T; b++) {
        let s = 0;
        for (let i = 0; i < r.N; i++) s += I[b * r.N + i];
        r.mean[b * bins + bin] += (s / r.N) * w;
        for (let i = 0; i < r.m; i++) r.sampled[(b * r.m + i) * bins + bin] += I[b * r.N + i] * w;
      }
    }
  }

  /** Mean STP variables of every STP projection, relaxed to t (the end of the bin). */
  endOfBin(bin: number, t: number, state: NetworkState): void {
    for (const r of this.stpRecs) {
      const pr = this.net.projections[r.proj];
      const ps = state.projections[r.proj];
      const perSynapse = pr.stpPlacement === 'per-synapse';
      const per = perSynapse ? pr.nSyn : pr.nPre;
      for (let b = 0; b < this.T; b++) {
        this.sums.fill(0);
        for (let e = 0; e < per; e++) ps.stp!.addRelaxed(perSynapse ? e : -1, b * per + e, t, this.sums);
        for (let v = 0; v < r.names.length; v++) r.arrays[v][b * this.totalBins + bin] = per > 0 ? this.sums[v] / per : NaN;
      }
    }
  }

  /** The recorded arrays, cut to `bins` complete bins; activity in Hz. */
  finish(
    bins: number,
    binSize: number,
  ): {
    activity: Record<string, Float64Array>;
    inputs: Record<string, InputRecording>;
    stp: Record<string, Record<string, Float64Array>>;
    spikes: Record<string, SpikeRecording>;
  } {
    const pops = this.net.populations;
    const cut = (a: Float64Array, rows: number) => cutBins(a, rows, this.totalBins, bins);
    const activity: Record<string, Float64Array> = {};
    pops.forEach((p, i) => {
      const a = cut(this.activity[i], this.T);
      const scale = 1 / (p.N * binSize);
      for (let k = 0; k < a.length; k++) a[k] *= scale;
      activity[p.name] = a;
    });
    const inputs: Record<string, InputRecording> = {};
    for (const r of this.inputs) {
      inputs[pops[r.pop].name] = {
        neurons: Int32Array.from({ length: r.m }, (_, i) => i),
        sampled: cut(r.sampled, this.T * r.m),
        populationMean: cut(r.mean, this.T),
      };
    }
    const stp: Record<string, Record<string, Float64Array>> = {};
    for (const r of this.stpRecs) {
      const vars: Record<string, Float64Array> = {};
      r.names.forEach((name, v) => {
        vars[name] = cut(r.arrays[v], this.T);
      });
      stp[this.net.projections[r.proj].name] = vars;
    }
    const spikes: Record<string, SpikeRecording> = {};
    for (const r of this.spikeRecs) spikes[pops[r.pop].name] = sortByTrial(r, this.T);
    return { activity, inputs, stp, spikes };
  }
}

/** [rows × from] → [rows × to] (to ≤ from), keeping the first `to` bins of each row. */
/** Stable counting sort by trial: entries were appended step by step, so each trial stays in time order. */
function sortByTrial(r: SpikeRec, T: number): SpikeRecording {
  const n = r.trial.length;
  const start = new Int32Array(T + 1);
  for (let q = 0; q < n; q++) start[r.trial.data[q] + 1]++;
  for (let b = 0; b < T; b++) start[b + 1] += start[b];
  const trial = new Int32Array(n);
  const neuron = new Int32Array(n);
  const time = new Float64Array(n);
  for (let q = 0; q < n; q++) {
    const d = start[r.trial.data[q]]++;
    trial[d] = r.trial.data[q];
    neuron[d] = r.neuron.data[q];
    time[d] = r.time.data[q];
  }
  return { neurons: Int32Array.from({ length: r.m }, (_, i) => i), trial, neuron, time };
}

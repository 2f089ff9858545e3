/**
 * The STP state of one projection in the CPU engine, whatever its model: one entry per
 * presynaptic neuron (homogeneous parameters) or per synapse (heterogeneous ones), updated
 * lazily at spikes by the exact functions of src/synapse, and read relaxed to a time without
 * disturbing the lazy update. Each model is one entry of DYNAMICS; which parameters it has and
 * which variables a run records come from the compile layer's table (src/compile/stpModels.ts),
 * whose variable names are the state arrays' names.
 */
import { STP_MODELS, type CompiledProjection, type StpModelName, type StpParamKey } from '../../compile';
import { createDepressionState, depressionOnSpike, depressionRelax } from '../../synapse/stpDepression';
import { createThreeStateState, threeStateOnSpike, threeStateRelax } from '../../synapse/stpThreeState';
import { createTmState, tmOnSpike, tmRelax, tmReset } from '../../synapse/stpTsodyksMarkram';

type Params = Record<string, number>;
type State = { readonly tLast: Float64Array } & Record<string, Float64Array>;

interface Dynamics {
  /** n entries at rest with the nominal parameters, at t = 0. */
  create(p: Params, n: number): State;
  /** Puts entry i at rest for its own parameters (only where the resting state depends on them). */
  rest?(p: Params, s: State, i: number): void;
  onSpike(p: Params, s: State, i: number, t: number): number;
  /**
   * Sets q to synapse s's own parameters from the per-synapse rows a, in the order of the model
   * table (STP_MODELS[model].params; test/unit/microCpu/stpStore.test.ts checks the order). Named
   * assignments, not a loop over names: this runs at every spike of every synapse.
   */
  fill(q: Params, a: readonly Float64Array[], s: number): void;
  /**
   * Adds the variables of live entry k, relaxed to t on the one-entry copy `one`, to sums[0…]
   * (in the table's variable order). Written out per model, with direct calls, because it runs
   * for every entry at every bin's end of a recording.
   */
  addRelaxed(p: Params, live: State, one: State, k: number, t: number, sums: Float64Array): void;
}

// The src/synapse functions themselves, so a spike costs no extra call; they are typed with their
// model's parameter and state shapes, and the table is keyed by model, so each entry only ever
// sees its own model's objects.
export const DYNAMICS: Record<Exclude<StpModelName, 'none'>, Dynamics> = {
  'tsodyks-markram': {
    create: (p, n) => createTmState(p as never, n, 0) as never,
    rest: (p, s, i) => tmReset(p as never, s as never, i, 0),
    onSpike: tmOnSpike as never,
    fill: (q, a, s) => {
      q.U = a[0][s];
      q.U0 = a[1][s];
      q.tauD = a[2][s];
      q.tauF = a[3][s];
    },
    addRelaxed: (p, live, one, k, t, sums) => {
      one.u[0] = live.u[k];
      one.x[0] = live.x[k];
      one.tLast[0] = live.tLast[k];
      tmRelax(p as never, one as never, 0, t);
      sums[0] += one.u[0];
      sums[1] += one.x[0];
    },
  },
  depression: {
    create: (_p, n) => createDepressionState(n, 0) as never,
    onSpike: depressionOnSpike as never,
    fill: (q, a, s) => {
      q.U = a[0][s];
      q.tauD = a[1][s];
    },
    addRelaxed: (p, live, one, k, t, sums) => {
      one.x[0] = live.x[k];
      one.tLast[0] = live.tLast[k];
      depressionRelax(p as never, one as never, 0, t);
      sums[0] += one.x[0];
    },
  },
  'three-state': {
    create: (_p, n) => createThreeStateState(n, 0) as never,
    onSpike: threeStateOnSpike as never,
    fill: (q, a, s) => {
      q.U = a[0][s];
      q.tauIn = a[1][s];
      q.tauRec = a[2][s];
    },
    addRelaxed: (p, live, one, k, t, sums) => {
      one.x[0] = live.x[k];
      one.y[0] = live.y[k];
      one.z[0] = live.z[k];
      one.tLast[0] = live.tLast[k];
      threeStateRelax(p as never, one as never, 0, t);
      sums[0] += one.x[0];
      sums[1] += one.y[0];
      sums[2] += one.z[0];
    },
  },
};

export class StpStore {
  private readonly dyn: Dynamics;
  private readonly state: State;
  private readonly nominal: Params;
  /** Per-synapse placement: the parameter names and their per-synapse arrays, and an object to fill. */
  private readonly keys: readonly StpParamKey[];
  private readonly perSynapse: Float64Array[];
  private readonly scratch: Params;
  /** A one-entry copy relaxed for reading, so that reading never moves the live entry. */
  private readonly one: State;
  /** The recorded variables, in STP_MODELS order. */
  readonly variables: readonly string[];

  /** `n` entries; per synapse, entry k belongs to synapse k mod nSyn. */
  constructor(pr: CompiledProjection, n: number) {
    const model = pr.stp.model;
    if (model === 'none') throw new Error(`projection "${pr.name}" has no STP state`);
    const info = STP_MODELS[model];
    this.dyn = DYNAMICS[model];
    this.nominal = { ...pr.stp.params };
    this.keys = info.params;
    this.variables = info.variables;
    const perSynapse = pr.stpPlacement === 'per-synapse';
    this.perSynapse = perSynapse ? this.keys.map((k) => pr.synStp[k]!) : [];
    this.scratch = { ...this.nominal };
    this.state = this.dyn.create(this.nominal, n);
    if (perSynapse && this.dyn.rest) for (let k = 0; k < n; k++) this.dyn.rest(this.paramsOf(k % pr.nSyn), this.state, k);
    this.one = this.dyn.create(this.nominal, 1);
  }

  /** The parameters of synapse s (per-synapse placement) or the projection's. */
  private paramsOf(s: number): Params {
    if (this.perSynapse.length === 0) return this.nominal;
    this.dyn.fill(this.scratch, this.perSynapse, s);
    return this.scratch;
  }

  /** The efficacy of a spike at t through entry k, with the projection's parameters. */
  onSpike(k: number, t: number): number {
    return this.dyn.onSpike(this.nominal, this.state, k, t);
  }

  /** The efficacy of a spike at t through entry k of synapse s, with that synapse's parameters. */
  onSynapseSpike(s: number, k: number, t: number): number {
    return this.dyn.onSpike(this.paramsOf(s), this.state, k, t);
  }

  /** Adds the variables of entry k (parameters of synapse s, or −1: the projection's), relaxed to t, to sums[0…]. */
  addRelaxed(s: number, k: number, t: number, sums: Float64Array): void {
    this.dyn.addRelaxed(s < 0 ? this.nominal : this.paramsOf(s), this.state, this.one, k, t, sums);
  }
}

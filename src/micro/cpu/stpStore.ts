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
  relax(p: Params, s: State, i: number, t: number): void;
}

// The src/synapse functions are typed with their model's parameter and state shapes; the table
// is keyed by model, so each entry only ever sees its own model's objects.
const DYNAMICS: Record<Exclude<StpModelName, 'none'>, Dynamics> = {
  'tsodyks-markram': {
    create: (p, n) => createTmState(p as never, n, 0) as never,
    rest: (p, s, i) => tmReset(p as never, s as never, i, 0),
    onSpike: (p, s, i, t) => tmOnSpike(p as never, s as never, i, t),
    relax: (p, s, i, t) => tmRelax(p as never, s as never, i, t),
  },
  depression: {
    create: (_p, n) => createDepressionState(n, 0) as never,
    onSpike: (p, s, i, t) => depressionOnSpike(p as never, s as never, i, t),
    relax: (p, s, i, t) => depressionRelax(p as never, s as never, i, t),
  },
  'three-state': {
    create: (_p, n) => createThreeStateState(n, 0) as never,
    onSpike: (p, s, i, t) => threeStateOnSpike(p as never, s as never, i, t),
    relax: (p, s, i, t) => {
      threeStateRelax(p as never, s as never, i, t);
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
  private readonly arrays: readonly string[];
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
    this.arrays = Object.keys(this.one);
  }

  /** The parameters of synapse s (per-synapse placement) or the projection's. */
  private paramsOf(s: number): Params {
    if (this.perSynapse.length === 0) return this.nominal;
    const q = this.scratch;
    for (let j = 0; j < this.keys.length; j++) q[this.keys[j]] = this.perSynapse[j][s];
    return q;
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
    const one = this.one;
    for (const a of this.arrays) one[a][0] = this.state[a][k];
    this.dyn.relax(s < 0 ? this.nominal : this.paramsOf(s), one, 0, t);
    for (let v = 0; v < this.variables.length; v++) sums[v] += one[this.variables[v]][0];
  }
}

/**
 * The meso engine's view of the compiled network: the compile layer's population plans, filter
 * plans and synapse-free projections (one source for kernels, kick and output scales, delays and
 * the STP table), plus what the mean-field needs per projection. No synapses are built: the meso
 * level needs only the mean in-degree.
 */
import {
  assertSupported,
  compileFilter,
  compilePopulation,
  projectionBasics,
  type CompiledFilter,
  type CompiledPopulation,
  type ProjectionBasics,
} from '../compile';
import type { Scenario } from '../model/scenario';
import { synapseCount } from '../model/validate';
import type { ConductanceInput } from './population';

/** A projection without its synapses, plus what the mean-field needs. */
export interface MesoProjection
  extends Pick<ProjectionBasics, 'name' | 'index' | 'pre' | 'post' | 'delaySteps' | 'conductance' | 'E' | 'mg' | 'weight' | 'stp'>,
    Pick<CompiledFilter, 'filter' | 'kickScale' | 'outScale' | 'expProp' | 'dualProp' | 'cascadeProp' | 'inputCoupling'> {
  /** Mean in-degree C of a postsynaptic neuron. */
  readonly C: number;
  /** Channels: 0 the population mean, then the sampled postsynaptic neurons. */
  readonly channels: number;
  /** All-to-all: every neuron's partners are the whole population, so sampled neurons see the population channel. */
  readonly shared: boolean;
  /** Index of this projection among its target's conductance projections (−1: current-based). */
  readonly condSlot: number;
}

export interface MesoNetwork {
  readonly dt: number;
  readonly pops: CompiledPopulation[];
  readonly projs: MesoProjection[];
  /** Conductance input buffers per population (null: none). */
  readonly cond: (ConductanceInput | null)[];
  /** Sampled neurons per population whose input is recorded (−1: input not recorded). */
  readonly sampled: number[];
  readonly index: Map<string, number>;
}

/** Compiles a validated scenario for the meso, macro or meso-gpu engine, refusing what it does not model. */
export function compileMesoNetwork(scenario: Scenario, engine: 'meso' | 'macro' | 'meso-gpu' = 'meso'): MesoNetwork {
  assertSupported(engine, scenario);
  const dt = scenario.run.dt;
  const names = Object.keys(scenario.populations);
  const index = new Map(names.map((n, i) => [n, i]));
  const pops = names.map((n, i) => compilePopulation(n, i, scenario.populations[n], dt));
  const sampled = pops.map(() => -1);
  for (const r of scenario.record.inputs) {
    const p = index.get(r.population)!;
    sampled[p] = Math.min(Math.max(r.neurons, sampled[p]), pops[p].N);
  }
  const condCount = pops.map(() => 0);
  const projs: MesoProjection[] = scenario.projections.map((p, i) => {
    const b = projectionBasics(p, i, scenario, pops, index);
    const f = compileFilter(p, pops[b.post].tauM, dt, null, false, scenario.run.integration);
    return {
      name: b.name,
      index: i,
      pre: b.pre,
      post: b.post,
      delaySteps: b.delaySteps,
      filter: f.filter,
      kickScale: f.kickScale,
      outScale: f.outScale,
      expProp: f.expProp,
      dualProp: f.dualProp,
      cascadeProp: f.cascadeProp,
      inputCoupling: f.inputCoupling,
      conductance: b.conductance,
      E: b.E,
      mg: b.mg,
      C: synapseCount(p, b.nPre, b.nPost) / b.nPost,
      weight: b.weight,
      stp: b.stp,
      channels: 1 + Math.max(0, sampled[b.post]),
      shared: p.connectivity.type === 'all-to-all' || (p.connectivity.type === 'fixed-probability' && p.connectivity.p >= 1),
      condSlot: b.conductance ? condCount[b.post]++ : -1,
    };
  });
  const cond = pops.map((_, i) => {
    if (condCount[i] === 0) return null;
    const mine = projs.filter((q) => q.post === i && q.conductance);
    return { g: new Float64Array(mine.length), E: Float64Array.from(mine, (q) => q.E), mg: Float64Array.from(mine, (q) => q.mg) };
  });
  return { dt, pops, projs, cond, sampled, index };
}

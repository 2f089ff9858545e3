/**
 * The compile step of the meso engine: the micro engine's population plans and filter plans
 * (one source for kernels, kick and output scales), plus what the mean-field needs per projection.
 * No synapses are built: the meso level needs only the mean in-degree.
 */
import { compileFilter, compilePopulation, type PopulationPlan, type ProjectionPlan } from '../micro/cpu/network';
import { projectionName } from '../model/recording';
import type { Projection, Scenario } from '../model/scenario';
import { synapseCount } from '../model/validate';
import type { ConductanceInput } from './population';
import type { StpKind } from './stpMeanField';

/** What the meso engine does not model (yet): each entry names the projection and the reason. */
export function mesoUnsupported(s: Scenario): string[] {
  const out: string[] = [];
  s.projections.forEach((p, i) => {
    const where = `projections[${i}] ("${projectionName(p)}")`;
    if (p.filter.type === 'kinetic') out.push(`${where}: kinetic receptors (saturating gates have no population mean-field here)`);
    if (p.heterogeneity && Object.keys(p.heterogeneity).length > 0) out.push(`${where}: per-synapse heterogeneity (the mean-field assumes one parameter set per projection)`);
    if (p.filter.type === 'delta' && p.output.type === 'conductance') out.push(`${where}: delta conductance pulses (a jump that depends on each neuron's V)`);
  });
  return out;
}

/** The micro engine's projection plan without its synapses, plus what the mean-field needs. */
export interface ProjectionPlanMeso
  extends Pick<ProjectionPlan, 'name' | 'index' | 'pre' | 'post' | 'delaySteps' | 'filter' | 'kickScale' | 'outScale' | 'expProp' | 'dualProp' | 'cascadeProp' | 'conductance' | 'E' | 'mg' | 'weight'> {
  /** Mean in-degree C of a postsynaptic neuron. */
  readonly C: number;
  readonly stp: StpKind;
  /** Channels: 0 the population mean, then the sampled postsynaptic neurons. */
  readonly channels: number;
  /** All-to-all: every neuron's partners are the whole population, so sampled neurons see the population channel. */
  readonly shared: boolean;
  /** Index of this projection among its target's conductance projections (−1: current-based). */
  readonly condSlot: number;
}

export function stpKind(p: Projection): StpKind {
  const s = p.stp;
  if (s.model === 'tsodyks-markram') return { model: 'tsodyks-markram', params: { U: s.U, U0: s.U0, tauD: s.tauD, tauF: s.tauF } };
  if (s.model === 'depression') return { model: 'depression', params: { U: s.U, tauD: s.tauD } };
  if (s.model === 'three-state') return { model: 'three-state', params: { U: s.U, tauIn: s.tauIn, tauRec: s.tauRec } };
  return { model: 'none' };
}


export interface MesoNetwork {
  readonly dt: number;
  readonly pops: PopulationPlan[];
  readonly projs: ProjectionPlanMeso[];
  /** Conductance input buffers per population (null: none). */
  readonly cond: (ConductanceInput | null)[];
  /** Sampled neurons per population whose input is recorded (−1: input not recorded). */
  readonly sampled: number[];
  readonly index: Map<string, number>;
}

export function compileMesoNetwork(scenario: Scenario): MesoNetwork {
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
  const projs: ProjectionPlanMeso[] = scenario.projections.map((p, i) => {
    const pre = index.get(p.from)!;
    const post = index.get(p.to)!;
    const postPlan = pops[post];
    const f = compileFilter(p, postPlan.tauM, dt, null, false);
    const conductance = p.output.type === 'conductance';
    return {
      name: projectionName(p),
      index: i,
      pre,
      post,
      delaySteps: Math.round(p.delay / dt),
      filter: f.filter,
      kickScale: f.kickScale,
      outScale: f.outScale,
      expProp: f.expProp,
      dualProp: f.dualProp,
      cascadeProp: f.cascadeProp,
      conductance,
      E: conductance && p.output.type === 'conductance' ? p.output.E : 0,
      mg: p.output.type === 'conductance' ? (p.output.mgBlock?.Mg ?? 0) : 0,
      C: synapseCount(p, pops[pre].N, postPlan.N) / postPlan.N,
      weight: p.weight,
      stp: stpKind(p),
      channels: 1 + Math.max(0, sampled[post]),
      shared: p.connectivity.type === 'all-to-all' || (p.connectivity.type === 'fixed-probability' && p.connectivity.p >= 1),
      condSlot: conductance ? condCount[post]++ : -1,
    };
  });
  const cond = pops.map((_, i) => {
    if (condCount[i] === 0) return null;
    const mine = projs.filter((q) => q.post === i && q.conductance);
    return { g: new Float64Array(mine.length), E: Float64Array.from(mine, (q) => q.E), mg: Float64Array.from(mine, (q) => q.mg) };
  });
  return { dt, pops, projs, cond, sampled, index };
}

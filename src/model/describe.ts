/** A one-paragraph, human-readable description of a validated scenario (`mesostp check`). */
import type { Filter, Population, Projection, Scenario, Stp, TimeFunction } from './scenario';
import { projectionName, stepCount } from './recording';
import { synapseCount } from './validate';
import { STP_MODEL_INFO } from './stpModels';

const ms = (s: number) => `${+(s * 1000).toPrecision(3)} ms`;
const num = (x: number) => `${+x.toPrecision(3)}`;

function timeFunction(f: TimeFunction, unit: string): string {
  switch (f.type) {
    case 'constant':
      return `${num(f.value)} ${unit}`;
    case 'steps':
      return `${f.values.map(num).join(' → ')} ${unit} (switching at ${f.times.map((t) => `${num(t)} s`).join(', ')})`;
    case 'sinusoid':
      return `${num(f.offset)} ± ${num(f.amplitude)} ${unit} at ${num(f.frequency)} Hz`;
    case 'table':
      return `a table of ${f.values.length} values (every ${ms(f.dt)}) in ${unit}`;
  }
}

function population(name: string, p: Population): string {
  if (p.model === 'poisson') return `${name}: ${p.N} Poisson neurons at ${timeFunction(p.rate, 'Hz')}`;
  const common = `τm = ${ms(p.tauM)}, reset ${num(p.uReset)} mV, refractory ${ms(p.tRef)}, drive μ = ${timeFunction(p.mu, 'mV')}`;
  if (p.model === 'lif') return `${name}: ${p.N} deterministic LIF neurons (threshold ${num(p.uTh)} mV, ${common})`;
  const adapt = p.adaptation.length ? `, ${p.adaptation.length} adaptation kernel(s)` : '';
  return `${name}: ${p.N} escape-noise LIF neurons (threshold ${num(p.uTh)} mV, c = ${num(p.c)} Hz, Δu = ${num(p.deltaU)} mV, ${common}${adapt})`;
}

function filter(f: Filter): string {
  switch (f.type) {
    case 'delta':
      return 'delta';
    case 'exponential':
      return `exponential (τ = ${ms(f.tau)})`;
    case 'dual-exponential':
      return `dual-exponential (rise ${ms(f.tauRise)}, decay ${ms(f.tauDecay)})`;
    case 'alpha':
      return `alpha (τ = ${ms(f.tau)})`;
    case 'kinetic':
      return `kinetic ${f.receptor} receptor`;
  }
}

function stp(s: Stp): string {
  const info = STP_MODEL_INFO[s.model];
  if (info.params.length === 0) return info.description;
  const values = s as unknown as Record<string, number>;
  return `${info.description} (${info.params.map((p) => `${p.label} = ${p.unit === 's' ? ms(values[p.key]) : num(values[p.key])}`).join(', ')})`;
}

function projection(p: Projection, s: Scenario): string {
  const c = p.connectivity;
  const conn = c.type === 'all-to-all' ? 'all-to-all' : c.type === 'fixed-indegree' ? `in-degree ${c.C}` : `connection probability ${num(c.p)}`;
  const pre = s.populations[p.from];
  const post = s.populations[p.to];
  const n = pre && post ? Math.round(synapseCount(p, pre.N, post.N)) : 0;
  const out =
    p.output.type === 'current'
      ? `current-based, J = ${num(p.weight)} mV`
      : `conductance-based, g = ${num(p.weight)}, E = ${num(p.output.E)} mV${p.output.mgBlock ? `, Mg²⁺ block ([Mg] = ${num(p.output.mgBlock.Mg)} mM)` : ''}`;
  const het = p.heterogeneity && Object.keys(p.heterogeneity).length ? `, heterogeneous ${Object.keys(p.heterogeneity).join(', ')}` : '';
  return `${projectionName(p)} (${conn}, ${n.toLocaleString('en-US')} synapses, ${stp(p.stp)}, ${filter(p.filter)} filter, ${out}, delay ${ms(p.delay)}${het})`;
}

/** The network and the run in one paragraph of prose (`mesostp check` prints it). */
export function describeScenario(s: Scenario): string {
  const pops = Object.entries(s.populations).map(([name, p]) => population(name, p));
  const projs = s.projections.map((p) => projection(p, s));
  const stats = s.record.trials === 'stats' ? `; recorded as per-bin statistics over the trials, with the arrays of the first ${s.record.keepTrials}` : '';
  const run = `${s.run.trials} trial(s) of ${num(s.run.duration)} s at dt = ${ms(s.run.dt)} (${stepCount(s).toLocaleString('en-US')} steps), seed ${s.run.seed}${s.run.integration === 'exact' ? ', membrane and filters integrated exactly over each step' : ''}${stats}`;
  return [
    `${s.name}${s.description ? `: ${s.description}` : ''}.`,
    `Populations: ${pops.join('; ')}.`,
    projs.length ? `Projections: ${projs.join('; ')}.` : 'No projections.',
    `Run: ${run}.`,
  ].join(' ');
}

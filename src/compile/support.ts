/**
 * What each engine supports: one table of the scenario features some engine does not model,
 * each rule naming the engines it applies to, the field it concerns and the fix. The engines and
 * the registry ask this table, so a refusal reads the same wherever it is met. What no engine
 * runs is refused earlier, by the validator (src/model/validate.ts); what depends on the adapter,
 * such as buffer sizes, by the GPU engine's plan.
 */
import { projectionName } from '../model/recording';
import type { Population, Projection, Scenario } from '../model/scenario';
import { MAX_EXPLICIT_SYNAPSES, synapseCount } from '../model/validate';
import { EngineUnsupportedError } from './errors';

/** The engines the compile layer knows; the registry (src/engines) gives each its label and run function. */
export type CompileTarget = 'micro-cpu' | 'micro-gpu' | 'meso' | 'macro' | 'meso-gpu';

/** Adaptation kernels a GPU neuron carries (a vec4 in the kernel's parameters). */
export const MAX_GPU_ADAPTATION_KERNELS = 4;
/**
 * Populations and projections meso-gpu holds: its tables are uniform buffers of fixed size
 * (64 × 144 B and 128 × 160 B, within WebGPU's 64 KiB uniform binding), which every invocation reads
 * at the same index in every step (docs/meso-gpu.md, "Design").
 */
export const MAX_MESO_GPU_POPULATIONS = 64;
export const MAX_MESO_GPU_PROJECTIONS = 128;
/** Delta conductance projections with an NMDA block into one population (a vec4 in src/micro/gpu/kernels/applyPulses.wgsl). */
export const MAX_GPU_BLOCKED_PULSES = 4;

export interface SupportIssue {
  /** JSON path of the field concerned. */
  readonly path: string;
  /** What is refused, and what to do instead; starts with the projection or population concerned. */
  readonly message: string;
}

const MESO: readonly CompileTarget[] = ['meso', 'macro', 'meso-gpu'];
/** What the CPU meso engine runs and meso-gpu does not (yet): the fix is --level meso. */
const MESO_GPU: readonly CompileTarget[] = ['meso-gpu'];
const RUN_MESO_CPU = 'run it with --level meso, which models it';

interface ProjectionRule {
  readonly engines: readonly CompileTarget[];
  /** The field the rule concerns, relative to the projection. */
  readonly field: string;
  /** The reason for refusing this projection, or null. */
  check(p: Projection, s: Scenario): string | null;
}

interface PopulationRule {
  readonly engines: readonly CompileTarget[];
  readonly field: string;
  check(name: string, pop: Population, s: Scenario): string | null;
}

const hasHeterogeneity = (p: Projection) => p.heterogeneity !== undefined && Object.keys(p.heterogeneity).length > 0;
const sizes = (p: Projection, s: Scenario) => [s.populations[p.from]?.N ?? 0, s.populations[p.to]?.N ?? 0] as const;

const PROJECTION_RULES: readonly ProjectionRule[] = [
  {
    engines: ['micro-cpu'],
    field: 'storage',
    check: (p, s) => {
      if (p.storage !== 'procedural') return null;
      const n = synapseCount(p, ...sizes(p, s));
      return n > MAX_EXPLICIT_SYNAPSES
        ? `${n.toExponential(2)} synapses exceed the ${MAX_EXPLICIT_SYNAPSES} the CPU engine can store explicitly; procedural storage of that many synapses needs the GPU engine`
        : null;
    },
  },
  {
    engines: ['micro-gpu'],
    field: 'heterogeneity',
    check: (p) =>
      p.storage === 'procedural' && hasHeterogeneity(p)
        ? 'procedural storage regenerates the targets but keeps no per-synapse parameters; heterogeneity needs "storage": "explicit"'
        : null,
  },

  {
    engines: ['micro-gpu'],
    field: 'storage',
    check: (p) =>
      p.storage === 'procedural' && p.filter.type === 'kinetic'
        ? 'a kinetic receptor keeps a gate per presynaptic neuron or synapse and sends its conductance along stored rows; use "storage": "explicit"'
        : null,
  },
  {
    engines: ['micro-gpu'],
    field: 'connectivity',
    check: (p) =>
      p.storage === 'procedural' && p.connectivity.type === 'fixed-indegree'
        ? 'procedural storage regenerates the targets of each presynaptic neuron, and a fixed in-degree has no such form (each target draws its sources); use "fixed-probability" with p = C/N, or "storage": "explicit"'
        : null,
  },
  {
    engines: MESO,
    field: 'filter',
    check: (p) => (p.filter.type === 'kinetic' ? 'kinetic receptors (saturating gates have no population mean-field here)' : null),
  },
  {
    engines: MESO,
    field: 'heterogeneity',
    check: (p) => (hasHeterogeneity(p) ? 'per-synapse heterogeneity (the mean-field assumes one parameter set per projection)' : null),
  },
  {
    engines: MESO,
    field: 'output',
    check: (p) => (p.filter.type === 'delta' && p.output.type === 'conductance' ? "delta conductance pulses (a jump that depends on each neuron's V)" : null),
  },
  {
    engines: MESO_GPU,
    field: 'stp',
    check: (p) => (p.stp.model === 'three-state' ? `three-state STP (its pools and filter cascade are not on the GPU); ${RUN_MESO_CPU}` : null),
  },
];

const POPULATION_RULES: readonly PopulationRule[] = [
  {
    engines: MESO_GPU,
    field: 'adaptation',
    check: (_name, pop) =>
      pop.model === 'glif' && pop.adaptation.length > MAX_GPU_ADAPTATION_KERNELS
        ? `${pop.adaptation.length} adaptation kernels; the GPU engine carries at most ${MAX_GPU_ADAPTATION_KERNELS}; ${RUN_MESO_CPU}`
        : null,
  },
  {
    engines: ['micro-gpu'],
    field: 'adaptation',
    check: (_name, pop) =>
      pop.model === 'glif' && pop.adaptation.length > MAX_GPU_ADAPTATION_KERNELS
        ? `${pop.adaptation.length} adaptation kernels; the GPU engine carries at most ${MAX_GPU_ADAPTATION_KERNELS}`
        : null,
  },
  {
    engines: ['micro-gpu'],
    field: '',
    check: (name, _pop, s) => {
      const blocked = s.projections.filter(
        (p) => p.to === name && p.filter.type === 'delta' && p.output.type === 'conductance' && p.output.mgBlock !== undefined,
      ).length;
      return blocked > MAX_GPU_BLOCKED_PULSES ? `${blocked} delta NMDA projections; the GPU engine combines at most ${MAX_GPU_BLOCKED_PULSES}` : null;
    },
  },
];

/** What concerns the scenario as a whole (its size), before the per-population and per-projection rules. */
const SCENARIO_RULES: readonly { engines: readonly CompileTarget[]; field: string; check: (s: Scenario) => string | null }[] = [
  {
    engines: MESO_GPU,
    field: 'populations',
    check: (s) => {
      const n = Object.keys(s.populations).length;
      return n > MAX_MESO_GPU_POPULATIONS ? `${n} populations; the GPU engine holds at most ${MAX_MESO_GPU_POPULATIONS}; ${RUN_MESO_CPU}` : null;
    },
  },
  {
    engines: MESO_GPU,
    field: 'projections',
    check: (s) =>
      s.projections.length > MAX_MESO_GPU_PROJECTIONS
        ? `${s.projections.length} projections; the GPU engine holds at most ${MAX_MESO_GPU_PROJECTIONS}; ${RUN_MESO_CPU}`
        : null,
  },
];

/** Every feature of the scenario that `engine` does not model, in scenario order. */
export function unsupportedFeatures(engine: CompileTarget, s: Scenario): SupportIssue[] {
  const out: SupportIssue[] = [];
  for (const rule of SCENARIO_RULES) {
    if (!rule.engines.includes(engine)) continue;
    const why = rule.check(s);
    if (why) out.push({ path: rule.field, message: why });
  }
  for (const [name, pop] of Object.entries(s.populations)) {
    for (const rule of POPULATION_RULES) {
      if (!rule.engines.includes(engine)) continue;
      const why = rule.check(name, pop, s);
      if (why) out.push({ path: rule.field ? `populations.${name}.${rule.field}` : `populations.${name}`, message: `population "${name}": ${why}` });
    }
  }
  s.projections.forEach((p, i) => {
    for (const rule of PROJECTION_RULES) {
      if (!rule.engines.includes(engine)) continue;
      const why = rule.check(p, s);
      if (why) out.push({ path: `projections[${i}].${rule.field}`, message: `projections[${i}] ("${projectionName(p)}"): ${why}` });
    }
  });
  return out;
}

/** Throws EngineUnsupportedError listing every unsupported feature, and the engine that runs the scenario where there is one. */
export function assertSupported(engine: CompileTarget, s: Scenario): void {
  const issues = unsupportedFeatures(engine, s);
  if (issues.length === 0) return;
  // The nearest engine that runs it: the CPU meso engine for meso-gpu, else micro-cpu.
  const nearest = engine === 'meso-gpu' ? 'meso' : 'micro-cpu';
  const runsIt = engine !== nearest && unsupportedFeatures(nearest, s).length === 0;
  const list = issues.map((q) => q.message).join('; ');
  throw new EngineUnsupportedError(
    engine,
    `this scenario uses what the ${engine} engine does not model: ${list}.${runsIt ? ` Run it with --level ${nearest}.` : ''}`,
    issues[0].path,
  );
}

/**
 * The compile step: a validated Scenario becomes flat, trial-independent arrays and constants
 * (population layout, CSR connectivity, per-synapse parameters, delays in steps, exact filter
 * propagators, kick and output scales) that every engine reads. Per-trial state belongs to the
 * engines. What an engine does not model is refused first, by ./support.ts.
 */
import type { Scenario } from '../model/scenario';
import { FILTER_DELTA } from './codes';
import { compilePopulation, type CompiledPopulation } from './population';
import { compileProjection, type CompileOptions, type CompiledProjection } from './projection';
import { assertSupported, type CompileTarget } from './support';

export interface Network {
  readonly dt: number;
  readonly steps: number;
  readonly populations: CompiledPopulation[];
  readonly projections: CompiledProjection[];
  readonly populationIndex: Map<string, number>;
}

export interface NetworkOptions extends CompileOptions {
  /** The engine the network is for: what it does not model is refused in its name (./support.ts). */
  engine: CompileTarget;
}

/** Compiles a validated scenario (parseScenario output) for a micro engine. */
export function compileNetwork(s: Scenario, options: NetworkOptions): Network {
  assertSupported(options.engine, s);
  const dt = s.run.dt;
  const names = Object.keys(s.populations);
  const populationIndex = new Map(names.map((n, i) => [n, i]));
  const populations = names.map((n, i) => compilePopulation(n, i, s.populations[n], dt));
  const projections = s.projections.map((p, i) => compileProjection(p, i, s, populations, populationIndex, options));
  for (const pr of projections) {
    populations[pr.pre].outgoing.push(pr.index);
    const post = populations[pr.post] as { -readonly [K in keyof CompiledPopulation]: CompiledPopulation[K] };
    post.incoming.push(pr.index);
    if (pr.filter === FILTER_DELTA) {
      post.deltaInput = true;
      if (pr.conductance) post.pulseInput = true;
      if (pr.conductance && pr.mg > 0) post.blockedPulses.push(pr.index);
    } else if (pr.conductance) post.conductanceInput = true;
  }
  for (const pop of populations) {
    const post = pop as { -readonly [K in keyof CompiledPopulation]: CompiledPopulation[K] };
    post.blockedPulseE = Float64Array.from(pop.blockedPulses, (q) => projections[q].E);
    post.blockedPulseMg = Float64Array.from(pop.blockedPulses, (q) => projections[q].mg);
  }
  return { dt, steps: Math.round(s.run.duration / dt), populations, projections, populationIndex };
}

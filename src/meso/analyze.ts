/**
 * What `mesostp analyze` computes: the mean-field analysis of each STP synapse of a scenario
 * (stationary u, x, efficacy and transmitted rate against the presynaptic rate), the fixed points
 * of the macro equations with their slope criterion, and a sweep of one scenario parameter (the
 * bifurcation diagram of the fixed points; src/analysis/bifurcationPlot.ts draws it).
 */
import { compileStp, type StpKind } from '../compile';
import { getAt, parsePath, pathString, setAt } from '../model/jsonPath';
import { projectionName } from '../model/recording';
import type { Scenario } from '../model/scenario';
import { parseScenario } from '../model/validate';
import { depressionStationary, threeStateStationary, tmStationaryMf1, tmStationaryMf2, type StationarySynapse } from '../synapse/stpMoments';
import { macroFixedPoints, type FixedPoint, type FixedPointOptions } from './fixedPoints';
import { perturbationStability, type Stability } from './stability';

export interface SynapseCurve {
  projection: string;
  model: string;
  /** Which closure each curve uses: 'exact' (depression, three-state means) or 'mf1'/'mf2' (Tsodyks–Markram). */
  curves: Record<string, StationarySynapse[]>;
}

/** Presynaptic rates of the single-synapse analysis: 0.1 … 200 Hz, log-spaced. */
export function defaultRates(n = 25): number[] {
  return Array.from({ length: n }, (_, k) => 0.1 * 2000 ** (k / (n - 1)));
}

/** The stationary closed forms of each STP model (Tsodyks–Markram has no exact one: both closures). */
function stationaryCurves(kind: StpKind, rates: number[]): Record<string, StationarySynapse[]> | null {
  switch (kind.model) {
    case 'depression':
      return { exact: rates.map((r) => depressionStationary(kind.params, r)) };
    case 'tsodyks-markram':
      return { mf1: rates.map((r) => tmStationaryMf1(kind.params, r)), mf2: rates.map((r) => tmStationaryMf2(kind.params, r)) };
    case 'three-state':
      return { exact: rates.map((r) => threeStateStationary(kind.params, r)) };
    case 'none':
      return null;
  }
}

export function synapseAnalysis(scenario: Scenario, rates: number[] = defaultRates()): SynapseCurve[] {
  const out: SynapseCurve[] = [];
  for (const p of scenario.projections) {
    const kind = compileStp(p.stp);
    const curves = stationaryCurves(kind, rates);
    if (curves) out.push({ projection: projectionName(p), model: kind.model, curves });
  }
  return out;
}

/** The scenario with the number at `path` ("populations.E.mu.value", "projections[0].weight") replaced. */
export function withNumberAt(input: unknown, path: string, value: number): unknown {
  const parts = parsePath(path);
  for (let k = 1; k < parts.length; k++) {
    const v = getAt(input, parts.slice(0, k));
    if (typeof v !== 'object' || v === null) throw new Error(`--sweep ${path}: "${pathString(parts.slice(0, k))}" is not an object in the scenario`);
  }
  if (typeof getAt(input, parts) !== 'number') throw new Error(`--sweep ${path}: the scenario has no number at "${path}"`);
  return setAt(input, parts, value);
}

/** A fixed point with the leading eigenvalue measured by a perturbation run (stability.ts). */
export interface AnalyzedFixedPoint extends FixedPoint {
  stability: Stability;
}

/** Fixed points of the macro equations, each with its perturbation-run stability. */
export function analyzeFixedPoints(scenario: Scenario, options: FixedPointOptions = {}): AnalyzedFixedPoint[] {
  return macroFixedPoints(scenario, options).map((fp) => ({ ...fp, stability: perturbationStability(scenario, fp, { stp: options.stp }) }));
}

export interface SweepPoint {
  value: number;
  fixedPoints: FixedPoint[];
}

/** Fixed points at each value of one parameter (the scenario is re-validated at every value). */
export function sweepFixedPoints(input: unknown, path: string, values: number[], options: FixedPointOptions & { stability?: boolean } = {}): SweepPoint[] {
  return values.map((value) => {
    const s = parseScenario(withNumberAt(input, path, value));
    return { value, fixedPoints: options.stability ? analyzeFixedPoints(s, options) : macroFixedPoints(s, options) };
  });
}

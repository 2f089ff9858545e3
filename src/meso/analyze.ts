/**
 * What `mesostp analyze` computes: the mean-field analysis of each STP synapse of a scenario
 * (stationary u, x, efficacy and transmitted rate against the presynaptic rate), the fixed points
 * of the macro equations with their slope criterion, and a sweep of one scenario parameter (the
 * bifurcation diagram of the fixed points).
 */
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

export function synapseAnalysis(scenario: Scenario, rates: number[] = defaultRates()): SynapseCurve[] {
  const out: SynapseCurve[] = [];
  for (const p of scenario.projections) {
    const s = p.stp;
    const name = projectionName(p);
    if (s.model === 'depression') out.push({ projection: name, model: s.model, curves: { exact: rates.map((r) => depressionStationary({ U: s.U, tauD: s.tauD }, r)) } });
    else if (s.model === 'tsodyks-markram') {
      const q = { U: s.U, U0: s.U0, tauD: s.tauD, tauF: s.tauF };
      out.push({ projection: name, model: s.model, curves: { mf1: rates.map((r) => tmStationaryMf1(q, r)), mf2: rates.map((r) => tmStationaryMf2(q, r)) } });
    } else if (s.model === 'three-state') {
      const q = { U: s.U, tauIn: s.tauIn, tauRec: s.tauRec };
      out.push({ projection: name, model: s.model, curves: { exact: rates.map((r) => threeStateStationary(q, r)) } });
    }
  }
  return out;
}

/** Sets the value at a dotted path with [index] parts ("populations.E.mu.value", "projections[0].weight"). */
export function setPath(obj: Record<string, unknown>, path: string, value: number): void {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
  let o: Record<string, unknown> = obj;
  for (let k = 0; k < parts.length - 1; k++) {
    const next = o[parts[k]];
    if (typeof next !== 'object' || next === null) throw new Error(`--sweep ${path}: "${parts.slice(0, k + 1).join('.')}" is not an object in the scenario`);
    o = next as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  if (typeof o[last] !== 'number') throw new Error(`--sweep ${path}: the scenario has no number at "${path}"`);
  o[last] = value;
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
    const copy = structuredClone(input) as Record<string, unknown>;
    setPath(copy, path, value);
    const s = parseScenario(copy);
    return { value, fixedPoints: options.stability ? analyzeFixedPoints(s, options) : macroFixedPoints(s, options) };
  });
}

/** A bifurcation diagram as SVG: fixed-point rate of one population against the swept parameter; filled = slope < 1. */
export function sweepSvg(sweep: SweepPoint[], population: string, path: string): string {
  const W = 640;
  const H = 420;
  const m = { l: 70, r: 20, t: 20, b: 50 };
  const xs = sweep.map((s) => s.value);
  const ys = sweep.flatMap((s) => s.fixedPoints.map((f) => f.rates[population]));
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const y1 = Math.max(1, ...ys) * 1.05;
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - (y / y1) * (H - m.t - m.b);
  const dots = sweep.flatMap((s) =>
    s.fixedPoints.map((f) => {
      const stable = 'stability' in f ? (f as AnalyzedFixedPoint).stability.stable : f.slope === null || f.slope < 1;
      return `<circle cx="${px(s.value).toFixed(1)}" cy="${py(f.rates[population]).toFixed(1)}" r="3" fill="${stable ? '#1f4e9c' : 'white'}" stroke="#1f4e9c"/>`;
    }),
  );
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const xv = x0 + f * (x1 - x0);
    const yv = f * y1;
    return (
      `<text x="${px(xv).toFixed(1)}" y="${H - m.b + 18}" font-size="12" text-anchor="middle">${+xv.toPrecision(4)}</text>` +
      `<text x="${m.l - 8}" y="${(py(yv) + 4).toFixed(1)}" font-size="12" text-anchor="end">${+yv.toPrecision(3)}</text>`
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="black"/>`,
    ...ticks,
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" font-size="13" text-anchor="middle">${path}</text>`,
    `<text x="18" y="${(m.t + H - m.b) / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 18 ${(m.t + H - m.b) / 2})">fixed-point rate of ${population} (Hz)</text>`,
    ...dots,
    `<text x="${W - m.r}" y="${m.t + 12}" font-size="11" text-anchor="end">filled: stable; open: unstable (perturbation run, or without --stability the slope test dF/dr &gt; 1)</text>`,
    '</svg>',
  ].join('\n');
}

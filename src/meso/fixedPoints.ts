/**
 * Fixed points of the macro equations: population rates r with r = F(r), F the stationary rate of
 * every neuron population given the stationary input that the rates r produce (stationary.ts).
 * Poisson populations keep the rate of their drive at the analysis time.
 */
import { FILTER_CASCADE, FILTER_DELTA, FILTER_DUAL, FILTER_EXP, NEURON_POISSON } from '../compile';
import type { Scenario } from '../model/scenario';
import { timeFunctionAt } from '../model/timeFunction';
import { compileMesoNetwork, type MesoNetwork } from './network';
import { cascadeStationary, renewalStationary, stationaryEfficacy, type StationaryInput } from './stationary';
import { STP_MEAN_FIELD_DEFAULT, type StpMeanFieldOrder } from './stpMeanField';

export interface FixedPoint {
  /** Stationary rate of every population (Hz). */
  rates: Record<string, number>;
  /** Stationary mean efficacy per spike of every projection. */
  efficacy: Record<string, number>;
  /** Stationary current input I_cur + delta term (mV) of every neuron population. */
  input: Record<string, number>;
  /** max |F(r) − r| (Hz). */
  residual: number;
  /**
   * Slope dF/dr at the fixed point (one neuron population only): above 1 the fixed point is
   * unstable against a slow change of the rate (the middle state of a bistable network).
   */
  slope: number | null;
}

export interface FixedPointOptions {
  stp?: StpMeanFieldOrder;
  /** Time at which drives and Poisson rates are evaluated (default 0). */
  t?: number;
}

/** Smallest relaxation factor of the `age` efficacy iteration. */
const MIN_RELAXATION = 0.02;

/** The map F for one scenario: rates of the neuron populations in, their stationary rates out. */
export class StationaryMap {
  readonly net: MesoNetwork;
  /** Indices of the neuron (non-Poisson) populations: the unknowns. */
  readonly free: number[];
  /** Drives (μ, or the rate of a Poisson population) at the analysis time. */
  readonly drives: number[];
  private readonly order: StpMeanFieldOrder;
  /** Last evaluation: efficacies per projection and inputs per population. */
  readonly efficacy: Float64Array;
  readonly input: StationaryInput[];

  constructor(scenario: Scenario, options: FixedPointOptions = {}) {
    this.net = compileMesoNetwork(scenario, 'macro');
    this.order = options.stp ?? STP_MEAN_FIELD_DEFAULT;
    const n = Math.round((options.t ?? 0) / this.net.dt);
    this.drives = this.net.pops.map((p) => timeFunctionAt(p.drive, n, this.net.dt));
    this.free = this.net.pops.map((p, i) => (p.model === NEURON_POISSON ? -1 : i)).filter((i) => i >= 0);
    this.efficacy = new Float64Array(this.net.projs.length);
    this.input = this.net.pops.map((_, i) => ({ Icur: 0, deltaKick: 0, cond: this.net.cond[i] }));
  }

  /** Largest rate a population can reach: one spike per refractory period plus one step. */
  maxRate(i: number): number {
    return 1 / (this.net.dt * (this.net.pops[i].refSteps + 1));
  }

  /** Full rate vector (Poisson populations at their drive) from the free populations' rates. */
  allRates(free: ArrayLike<number>): Float64Array {
    const dt = this.net.dt;
    const r = Float64Array.from(this.net.pops, (p) => (p.model === NEURON_POISSON ? -Math.expm1(-this.drives[p.index] * dt) / dt : 0));
    this.free.forEach((i, k) => {
      r[i] = free[k];
    });
    return r;
  }

  /** F(r) for the free populations. `age` iterates efficacy → renewal a few times (the ISI distribution sets the resources at spikes). */
  evaluate(free: ArrayLike<number>): Float64Array {
    const rates = this.allRates(free);
    const { pops, projs, dt } = this.net;
    let gens: (((D: number) => number) | undefined)[] = pops.map(() => undefined);
    let out = new Float64Array(this.free.length);
    // `age`: the efficacy needs the ISI distribution, which needs the input, which needs the
    // efficacy. Damped iteration (strong recurrence makes the plain one oscillate); if it does not
    // settle, F is NaN and no fixed point is reported there.
    const age = this.order === 'age';
    const passes = age ? 2000 : 1;
    const previous = new Float64Array(projs.length).fill(NaN);
    const lastStep = new Float64Array(projs.length);
    const alpha = new Float64Array(projs.length).fill(1);
    let settled = !age;
    for (let pass = 0; pass < passes; pass++) {
      for (const inp of this.input) {
        inp.Icur = 0;
        inp.deltaKick = 0;
        if (inp.cond) inp.cond.g.fill(0);
      }
      projs.forEach((q, k) => {
        const target = stationaryEfficacy(q.stp, this.order, rates[q.pre], dt, gens[q.pre]);
        let W = target;
        if (age && pass > 0) {
          // Adaptive relaxation: halve the step when it overshoots (the sign of the correction flips), grow it otherwise.
          const step = target - previous[k];
          alpha[k] = step * lastStep[k] < 0 ? Math.max(alpha[k] * 0.5, MIN_RELAXATION) : Math.min(alpha[k] * 1.2, 1);
          lastStep[k] = step;
          W = previous[k] + alpha[k] * step;
        }
        this.efficacy[k] = W;
        const kick = q.weight * q.C * W * rates[q.pre] * dt * q.kickScale;
        const inp = this.input[q.post];
        if (q.filter === FILTER_DELTA) {
          inp.deltaKick += kick;
          return;
        }
        // The stages' stationary values at a step's start (rise to output), as the engines hold them.
        let stages: ArrayLike<number>;
        if (q.filter === FILTER_EXP) stages = [kick / (1 - q.expProp!.decay)];
        else if (q.filter === FILTER_DUAL) {
          const h = kick / (1 - q.dualProp!.hh);
          stages = [h, (h * q.dualProp!.hg) / (1 - q.dualProp!.gg)];
        } else if (q.filter === FILTER_CASCADE) stages = cascadeStationary(q.cascadeProp!, kick);
        else throw new Error(`macro analysis: filter of projection "${q.name}" not supported`);
        const g = stages[stages.length - 1];
        if (q.conductance) inp.cond!.g[q.condSlot] = q.outScale * g;
        else if (q.inputCoupling) for (let j = 0; j < stages.length; j++) inp.Icur += q.inputCoupling[j] * stages[j];
        else inp.Icur += q.outScale * g;
      });
      const next = pops.map((p, i) => renewalStationary(p, this.drives[i], this.input[i], dt, rates[i]));
      out = Float64Array.from(this.free, (i) => next[i].rate);
      gens = next.map((x) => x.isiGenerating);
      if (age && pass > 0 && this.efficacy.every((w, k) => Math.abs(w - previous[k]) <= 1e-13 * Math.abs(w))) {
        settled = true;
        break;
      }
      previous.set(this.efficacy);
    }
    return settled ? out : out.fill(NaN);
  }

  /** The stationary input of population i at the last evaluation, as recorded (current and delta terms). */
  recordedInput(i: number): number {
    const inp = this.input[i];
    return inp.Icur + (this.net.pops[i].tauM * inp.deltaKick) / this.net.dt;
  }
}

/** All fixed points of the macro equations, sorted by the rate of the first neuron population. */
export function macroFixedPoints(scenario: Scenario, options: FixedPointOptions = {}): FixedPoint[] {
  const map = new StationaryMap(scenario, options);
  const free = map.free;
  const found: Float64Array[] = [];
  if (free.length === 0) found.push(new Float64Array(0));
  else if (free.length === 1) {
    // Scan F(r) − r on a grid dense at low rates, refine each sign change by bisection.
    const rmax = map.maxRate(free[0]);
    const M = 800;
    const f = (r: number) => map.evaluate([r])[0] - r;
    let r0 = 0;
    let f0 = f(0);
    for (let i = 1; i <= M; i++) {
      const r1 = rmax * (i / M) ** 2;
      const f1 = f(r1);
      if (f0 === 0) found.push(Float64Array.of(r0));
      else if (f0 * f1 < 0) {
        let lo = r0;
        let hi = r1;
        let flo = f0;
        for (let k = 0; k < 100 && hi - lo > 1e-12 * (1 + hi); k++) {
          const mid = 0.5 * (lo + hi);
          const fm = f(mid);
          if (fm * flo > 0) {
            lo = mid;
            flo = fm;
          } else hi = mid;
        }
        found.push(Float64Array.of(0.5 * (lo + hi)));
      }
      r0 = r1;
      f0 = f1;
    }
  } else {
    for (const start of newtonStarts(map)) {
      const r = newton(map, start);
      if (r && !found.some((q) => q.every((v, k) => Math.abs(v - r[k]) < 1e-6 * (1 + Math.abs(v))))) found.push(r);
    }
  }
  return found
    .map((r) => describe(map, r))
    .filter((fp) => fp.residual < 1e-6 * (1 + Math.max(...Object.values(fp.rates))))
    .sort((a, b) => a.rates[map.net.pops[free[0]]?.name] - b.rates[map.net.pops[free[0]]?.name]);
}

function describe(map: StationaryMap, r: Float64Array): FixedPoint {
  const F = map.evaluate(r);
  let residual = 0;
  for (let k = 0; k < r.length; k++) residual = Math.max(residual, Math.abs(F[k] - r[k]));
  const all = map.allRates(r);
  const rates: Record<string, number> = {};
  map.net.pops.forEach((p, i) => {
    rates[p.name] = all[i];
  });
  const efficacy: Record<string, number> = {};
  map.net.projs.forEach((q, k) => {
    efficacy[q.name] = map.efficacy[k];
  });
  const input: Record<string, number> = {};
  for (const i of map.free) input[map.net.pops[i].name] = map.recordedInput(i);
  let slope: number | null = null;
  if (r.length === 1) {
    const h = 1e-6 * (1 + r[0]);
    slope = (map.evaluate([r[0] + h])[0] - map.evaluate([Math.max(0, r[0] - h)])[0]) / (r[0] + h - Math.max(0, r[0] - h));
    map.evaluate(r); // leave the map at the fixed point
  }
  return { rates, efficacy, input, residual, slope };
}

function newtonStarts(map: StationaryMap): Float64Array[] {
  const levels = [0.5, 5, 20, 60];
  const P = map.free.length;
  const starts: Float64Array[] = [];
  const total = Math.min(levels.length ** P, 256);
  for (let s = 0; s < total; s++) {
    const r = new Float64Array(P);
    let k = s;
    for (let d = 0; d < P; d++) {
      r[d] = Math.min(levels[k % levels.length], 0.9 * map.maxRate(map.free[d]));
      k = Math.floor(k / levels.length);
    }
    starts.push(r);
  }
  return starts;
}

/** Damped Newton on F(r) − r with a finite-difference Jacobian; null if it does not converge. */
function newton(map: StationaryMap, start: Float64Array): Float64Array | null {
  const P = start.length;
  let r = Float64Array.from(start);
  for (let it = 0; it < 60; it++) {
    const F = map.evaluate(r);
    const g = F.map((v, k) => v - r[k]);
    const norm = Math.max(...g.map(Math.abs));
    if (norm < 1e-10 * (1 + Math.max(...r))) return r;
    const J: number[][] = [];
    for (let k = 0; k < P; k++) {
      const h = 1e-6 * (1 + r[k]);
      const rp = Float64Array.from(r);
      rp[k] += h;
      const Fp = map.evaluate(rp);
      for (let i = 0; i < P; i++) {
        J[i] ??= [];
        J[i][k] = (Fp[i] - rp[i] - g[i]) / h;
      }
    }
    const step = solve(
      J,
      g.map((v) => -v),
    );
    if (!step) return null;
    let lambda = 1;
    for (let k = 0; k < 30; k++) {
      const trial = r.map((v, i) => Math.min(Math.max(v + lambda * step[i], 0), map.maxRate(map.free[i]) * (1 - 1e-9)));
      const Ft = map.evaluate(trial);
      const nt = Math.max(...Ft.map((v, i) => Math.abs(v - trial[i])));
      if (nt < norm) {
        r = trial;
        break;
      }
      lambda /= 2;
      if (k === 29) return null;
    }
  }
  return null;
}

/** Gaussian elimination with partial pivoting; null for a singular system. */
function solve(A: number[][], b: number[] | Float64Array): number[] | null {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(M[i][c]) > Math.abs(M[p][c])) p = i;
    if (Math.abs(M[p][c]) < 1e-300) return null;
    [M[c], M[p]] = [M[p], M[c]];
    for (let i = c + 1; i < n; i++) {
      const f = M[i][c] / M[c][c];
      for (let k = c; k <= n; k++) M[i][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = M[i][n];
    for (let k = i + 1; k < n; k++) s -= M[i][k] * x[k];
    x[i] = s / M[i][i];
  }
  return x;
}

/**
 * Monte Carlo of one STP synapse driven by a Poisson train (test support, not a test file).
 * Inter-spike intervals are exponential, −ln(v)/r, with v from Philox (philoxBlocksCpu +
 * uniformsFromBits; v ∈ (0, 1) never hits 0, so the intervals are finite). By PASTA the state just
 * before a spike is distributed as the stationary state, so sampling (u⁻, x⁻) at spikes estimates
 * the stationary moments, and w = u⁺x⁻ the efficacy per spike. Consecutive samples are
 * correlated: standard errors come from batch means (batches much longer than the correlation
 * time of the state).
 */
import { philoxBlocksCpu, uniformsFromBits } from '../../../src/rng/philoxBlocks';
import { createDepressionState, depressionOnSpike, depressionRelax, type DepressionParams } from '../../../src/synapse/stpDepression';
import { createTmState, tmOnSpike, tmRelax, type TmParams } from '../../../src/synapse/stpTsodyksMarkram';
import { createThreeStateState, threeStateOnSpike, threeStateRelax, type ThreeStateParams } from '../../../src/synapse/stpThreeState';

export const STATS = ['u', 'x', 'uu', 'xx', 'ux', 'w', 'ww'] as const;
export type StatName = (typeof STATS)[number];
export type McResult = Record<StatName, { mean: number; se: number }>;

/** Exponential intervals of rate r: n of them from key (seed, 0). */
function intervals(n: number, rate: number, seed: number): Float64Array {
  const v = uniformsFromBits(philoxBlocksCpu([seed, 0], [0, 0, 0, 0], Math.ceil(n / 4)));
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = -Math.log(v[k]) / rate;
  return out;
}

function summarise(sums: Float64Array[], batches: number, perBatch: number): McResult {
  const res = {} as McResult;
  STATS.forEach((name, j) => {
    let m = 0;
    for (let b = 0; b < batches; b++) m += sums[j][b] / perBatch;
    m /= batches;
    let v = 0;
    for (let b = 0; b < batches; b++) v += (sums[j][b] / perBatch - m) ** 2;
    v /= batches - 1;
    res[name] = { mean: m, se: Math.sqrt(v / batches) };
  });
  return res;
}

/**
 * u–x synapse: `burn` spikes discarded, then batches × perBatch spikes sampled.
 * Returns means and batch-means standard errors of u⁻, x⁻, u⁻², x⁻², u⁻x⁻, w, w².
 */
export function monteCarloTm(p: TmParams, rate: number, seed: number, batches: number, perBatch: number, burn = 2000): McResult {
  const n = burn + batches * perBatch;
  const isi = intervals(n, rate, seed);
  const s = createTmState(p, 1, 0);
  const sums = STATS.map(() => new Float64Array(batches));
  let t = 0;
  for (let k = 0; k < n; k++) {
    t += isi[k];
    tmRelax(p, s, 0, t);
    const u = s.u[0];
    const x = s.x[0];
    const w = tmOnSpike(p, s, 0, t); // Δ = 0 since the relaxation: a pure event update
    if (k < burn) continue;
    const b = Math.floor((k - burn) / perBatch);
    sums[0][b] += u;
    sums[1][b] += x;
    sums[2][b] += u * u;
    sums[3][b] += x * x;
    sums[4][b] += u * x;
    sums[5][b] += w;
    sums[6][b] += w * w;
  }
  return summarise(sums, batches, perBatch);
}

/** Depression-only synapse, same sampling; u ≡ U (so 'u', 'uu', 'ux' are U, U², U x⁻). */
export function monteCarloDepression(p: DepressionParams, rate: number, seed: number, batches: number, perBatch: number, burn = 2000): McResult {
  const n = burn + batches * perBatch;
  const isi = intervals(n, rate, seed);
  const s = createDepressionState(1, 0);
  const sums = STATS.map(() => new Float64Array(batches));
  let t = 0;
  for (let k = 0; k < n; k++) {
    t += isi[k];
    depressionRelax(p, s, 0, t);
    const x = s.x[0];
    const w = depressionOnSpike(p, s, 0, t);
    if (k < burn) continue;
    const b = Math.floor((k - burn) / perBatch);
    sums[0][b] += p.U;
    sums[1][b] += x;
    sums[2][b] += p.U * p.U;
    sums[3][b] += x * x;
    sums[4][b] += p.U * x;
    sums[5][b] += w;
    sums[6][b] += w * w;
  }
  return summarise(sums, batches, perBatch);
}

/** Three-state synapse, same sampling; records x⁻ as 'x' and the release U x⁻ as 'w' (others 0). */
export function monteCarloThreeState(p: ThreeStateParams, rate: number, seed: number, batches: number, perBatch: number, burn = 2000): McResult {
  const n = burn + batches * perBatch;
  const isi = intervals(n, rate, seed);
  const s = createThreeStateState(1, 0);
  const sums = STATS.map(() => new Float64Array(batches));
  let t = 0;
  for (let k = 0; k < n; k++) {
    t += isi[k];
    threeStateRelax(p, s, 0, t);
    const x = s.x[0];
    const w = threeStateOnSpike(p, s, 0, t);
    if (k < burn) continue;
    const b = Math.floor((k - burn) / perBatch);
    sums[1][b] += x;
    sums[3][b] += x * x;
    sums[5][b] += w;
    sums[6][b] += w * w;
  }
  return summarise(sums, batches, perBatch);
}

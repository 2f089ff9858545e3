/**
 * Per-synapse parameter draws around a projection's value (scenario `heterogeneity`), from
 * seedrandom, in CSR order, and for each synapse in the fixed order of HETEROGENEOUS_PARAMS
 * (only the listed parameters draw). Each draw is clipped to the parameter's valid range:
 *
 * | parameter        | range after clipping                                                    |
 * | ---------------- | ----------------------------------------------------------------------- |
 * | weight           | the sign of the nominal weight (≥ 0 for conductances): Dale's law holds |
 * | U                | [1e-6·U, 1]                                                             |
 * | U0               | [0, 1]                                                                  |
 * | tauD, tauF       | ≥ 1e-6·nominal (≥ 0 when the nominal value is 0)                        |
 * | tauIn, tauRec    | ≥ 1e-6·nominal                                                          |
 *
 * Every distribution returns the nominal value exactly when its spread is 0 (lognormal is
 * written as value·exp(σz − σ²/2), which is value·1), so a zero-spread heterogeneous projection
 * equals the homogeneous one bit for bit.
 */
import type { Distribution, Heterogeneity } from '../model/scenario';

export const HETEROGENEOUS_PARAMS = ['weight', 'U', 'U0', 'tauD', 'tauF', 'tauIn', 'tauRec'] as const;
export type HeterogeneousParam = (typeof HETEROGENEOUS_PARAMS)[number];

/** Standard normal by Box–Muller (one of the pair; the draw order stays simple and fixed). */
function standardNormal(rng: () => number): number {
  const u1 = 1 - rng(); // (0, 1]: log is finite
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function draw(value: number, d: Distribution, rng: () => number): number {
  switch (d.distribution) {
    case 'normal':
      return value + d.sd * standardNormal(rng);
    case 'lognormal': {
      const s2 = Math.log1p(d.cv * d.cv);
      return value * Math.exp(Math.sqrt(s2) * standardNormal(rng) - s2 / 2);
    }
    case 'uniform':
      return value + d.halfWidth * (2 * rng() - 1);
  }
}

function clip(param: HeterogeneousParam, nominal: number, v: number): number {
  switch (param) {
    case 'weight':
      return nominal > 0 ? Math.max(0, v) : nominal < 0 ? Math.min(0, v) : v;
    case 'U':
      return Math.min(1, Math.max(1e-6 * nominal, v));
    case 'U0':
      return Math.min(1, Math.max(0, v));
    default:
      return Math.max(1e-6 * nominal, v);
  }
}

/**
 * Draws every listed parameter for nSyn synapses. `nominal` gives the projection's value of each
 * parameter that may be listed. Returns one Float64Array per listed parameter.
 */
export function drawHeterogeneity(
  h: Heterogeneity,
  nominal: Partial<Record<HeterogeneousParam, number>>,
  nSyn: number,
  rng: () => number,
): Partial<Record<HeterogeneousParam, Float64Array>> {
  const listed = HETEROGENEOUS_PARAMS.filter((k) => h[k] !== undefined);
  const out: Partial<Record<HeterogeneousParam, Float64Array>> = {};
  const arrays = listed.map((k) => (out[k] = new Float64Array(nSyn)));
  const dists = listed.map((k) => h[k] as Distribution);
  const values = listed.map((k) => {
    const v = nominal[k];
    if (v === undefined) throw new Error(`heterogeneity of ${k}: the projection has no such parameter`);
    return v;
  });
  for (let s = 0; s < nSyn; s++) {
    for (let q = 0; q < listed.length; q++) arrays[q][s] = clip(listed[q], values[q], draw(values[q], dists[q], rng));
  }
  return out;
}

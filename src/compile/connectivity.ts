/**
 * Explicit connectivity, built once on the host from seedrandom and shared by every trial,
 * stored as CSR by presynaptic neuron (the order in which a spike walks its synapses).
 * Within a row the targets are in increasing order.
 */
import type { Connectivity } from '../model/scenario';

export interface Csr {
  /** Row j holds synapses rowStart[j] .. rowStart[j+1]−1; length nPre + 1. */
  readonly rowStart: Int32Array;
  /** Postsynaptic neuron of each synapse. */
  readonly targets: Int32Array;
}

/** Uniform integer in [0, m) from a uniform double in [0, 1). */
function randInt(rng: () => number, m: number): number {
  const k = Math.floor(rng() * m);
  return k < m ? k : m - 1;
}

/** Growable Int32 buffer: fixed-probability connectivity does not know its size in advance. */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Synapses of one projection. `recurrent` is true when source and target are the same population,
 * which is when autapses (i = j) can exist.
 */
export function buildConnectivity(c: Connectivity, nPre: number, nPost: number, recurrent: boolean, rng: () => number): Csr {
  const noSelf = recurrent && !c.autapses;
  if (c.type === 'fixed-indegree') return fixedIndegree(c.C, nPre, nPost, noSelf, rng);
  const rowStart = new Int32Array(nPre + 1);
  const targets = new IntList(c.type === 'all-to-all' ? nPre * nPost : Math.ceil(nPre * nPost * c.p * 1.1) + 16);
  for (let j = 0; j < nPre; j++) {
    rowStart[j] = targets.length;
    if (c.type === 'all-to-all') {
      for (let i = 0; i < nPost; i++) if (!(noSelf && i === j)) targets.push(i);
    } else if (c.p >= 1) {
      for (let i = 0; i < nPost; i++) if (!(noSelf && i === j)) targets.push(i);
    } else {
      // Geometric skipping: the gap to the next connected target is Geometric(p), so the cost is
      // O(synapses), not O(nPre·nPost). A skipped self-pair is simply not stored, which equals
      // drawing every pair and discarding i = j.
      const logQ = Math.log1p(-c.p);
      let i = -1;
      for (;;) {
        const gap = Math.floor(Math.log(1 - rng()) / logQ);
        i += gap + 1;
        if (!(i < nPost)) break;
        if (!(noSelf && i === j)) targets.push(i);
      }
    }
  }
  rowStart[nPre] = targets.length;
  return { rowStart, targets: targets.toArray() };
}

/**
 * Each target draws exactly C distinct sources by Floyd's algorithm (C draws, no rejection).
 * Without autapses the target samples from the nPre − 1 others: index k ≥ i is mapped to k + 1.
 * The (pre, post) pairs are then counting-sorted by pre into CSR.
 */
function fixedIndegree(C: number, nPre: number, nPost: number, noSelf: boolean, rng: () => number): Csr {
  const pool = noSelf ? nPre - 1 : nPre;
  if (C > pool) throw new RangeError(`in-degree ${C} exceeds the ${pool} available sources`);
  const chosen = new Uint8Array(pool);
  const picks = new Int32Array(C);
  const pre = new Int32Array(C * nPost);
  for (let i = 0; i < nPost; i++) {
    let n = 0;
    for (let m = pool - C; m < pool; m++) {
      const t = randInt(rng, m + 1);
      const k = chosen[t] ? m : t;
      chosen[k] = 1;
      picks[n++] = k;
    }
    for (let q = 0; q < C; q++) {
      const k = picks[q];
      chosen[k] = 0;
      pre[i * C + q] = noSelf && k >= i ? k + 1 : k;
    }
  }
  const rowStart = new Int32Array(nPre + 1);
  for (let s = 0; s < pre.length; s++) rowStart[pre[s] + 1]++;
  for (let j = 0; j < nPre; j++) rowStart[j + 1] += rowStart[j];
  const fill = rowStart.slice(0, nPre);
  const targets = new Int32Array(pre.length);
  // Walking targets i in increasing order keeps every row sorted.
  for (let i = 0; i < nPost; i++) for (let q = 0; q < C; q++) targets[fill[pre[i * C + q]]++] = i;
  return { rowStart, targets };
}

/**
 * Procedural connectivity: the GPU engine stores no synapses for a projection with
 * `"storage": "procedural"` and regenerates a spike's targets from Philox
 * (kernels/propagateProcedural.wgsl). This module holds the host side: the layout of
 * the draws, a TypeScript twin of the row generator (tests compare the two), and the in-degree
 * bound the fixed-point scale needs.
 *
 * It describes the same random graph as the explicit CSR of src/compile/connectivity.ts (one
 * Bernoulli(p) per pair, or every pair), drawn from other random numbers: equal in
 * distribution, not synapse for synapse. Fixed in-degree has no presynaptic-row form (a row
 * depends on every target's draw), so it needs explicit storage.
 */
import type { Connectivity } from '../../model/scenario';
import { philox4x32Into, uniformFromBits } from '../../rng/philox';
import { Purpose, purposeWord } from '../../rng/streams';

/** The shortest segment of a row: candidate targets per independently drawn segment (part of the graph's definition). */
export const PROCEDURAL_SEGMENT = 256;
/** Targets a segment of a sparse row is made long enough to expect. */
export const SEGMENT_TARGETS = 8;

/**
 * Candidates per segment of a row with connection probability p: PROCEDURAL_SEGMENT doubled until
 * a segment expects SEGMENT_TARGETS targets. Every segment costs at least one Philox block and one
 * loop, so at p = 1e-4 segments of 256 would cost ~40 blocks per target; doubling keeps them near
 * one block per target, and the segment length is part of the graph's definition (like the seed).
 */
export function segmentLength(p: number, allToAll: boolean): number {
  let length = PROCEDURAL_SEGMENT;
  if (allToAll) return length;
  while (length * p < SEGMENT_TARGETS && length < 2 ** 24) length *= 2;
  return length;
}

export interface ProceduralRows {
  allToAll: boolean;
  p: number;
  noSelf: boolean;
  /** Candidate targets per row: nPost, or nPost − 1 without autapses. */
  candidates: number;
  /** Candidates per segment (segmentLength). */
  segment: number;
  /** Bound on the in-degree, for the fixed-point scale. */
  maxInDegree: number;
  /** Expected row length (chooses one invocation or one workgroup per spike). */
  meanRow: number;
}

export function proceduralRows(c: Connectivity, nPre: number, nPost: number, recurrent: boolean): ProceduralRows | null {
  if (c.type === 'fixed-indegree') return null;
  const noSelf = recurrent && !c.autapses;
  const candidates = noSelf ? nPost - 1 : nPost;
  const sources = noSelf ? nPre - 1 : nPre;
  if (c.type === 'all-to-all' || c.p >= 1)
    return { allToAll: true, p: 1, noSelf, candidates, segment: segmentLength(1, true), maxInDegree: sources, meanRow: candidates };
  // The in-degree is Binomial(sources, p); 20 standard deviations above the mean are exceeded with
  // probability below 1e-80, so the fixed-point range is safe without storing the graph.
  const mean = sources * c.p;
  const bound = Math.ceil(mean + 20 * Math.sqrt(mean * (1 - c.p)) + 20);
  return { allToAll: false, p: c.p, noSelf, candidates, segment: segmentLength(c.p, false), maxInDegree: Math.min(sources, bound), meanRow: candidates * c.p };
}

/**
 * The targets of presynaptic neuron j in `trialWord` (0 when the network is shared by all
 * trials), exactly as the WGSL generator draws them except for float32 rounding of ln(1 − u)
 * (which can move a target by one where a gap lands on an integer boundary).
 */
export function proceduralRow(rows: ProceduralRows, j: number, seed: number, stream: number, trialWord: number): number[] {
  const out: number[] = [];
  const segments = Math.ceil(rows.candidates / rows.segment);
  const words = new Uint32Array(4);
  const logQ = Math.fround(Math.log1p(-rows.p));
  const target = (c: number) => (rows.noSelf && c >= j ? c + 1 : c);
  for (let g = 0; g < segments; g++) {
    const first = g * rows.segment;
    const end = Math.min(first + rows.segment, rows.candidates);
    if (rows.allToAll) {
      for (let c = first; c < end; c++) out.push(target(c));
      continue;
    }
    let block = 0;
    let used = 4;
    let c = first - 1;
    for (;;) {
      if (used === 4) {
        philox4x32Into(j, g, trialWord, purposeWord(Purpose.connectivity, block), seed, stream, words);
        block++;
        used = 0;
      }
      const u = uniformFromBits(words[used++]);
      const gap = Math.floor(Math.fround(Math.log(Math.fround(1 - u))) / logQ);
      if (!(gap < end - c - 1)) break;
      c += gap + 1;
      out.push(target(c));
    }
  }
  return out;
}

/**
 * The parts of checkpointed runs that need no file system (docs/cli.md, "Checkpoints, resume and
 * shards"): what a run in blocks is (its manifest and scenario hash), the block layout and
 * shards, a block's bytes (encodeBlock/decodeBlock) and the merge of blocks. No Node imports:
 * the CLI's run folders (./checkpoint.ts, ./blockedRun.ts, which re-export all of this) and the
 * browser app's saved runs (src/app/run/savedRuns.ts) share it, so that the two hash a scenario,
 * lay out the blocks and write a block's bytes the same way.
 */
import { mergeSequentialRecordings } from '../model/mergeRecordings';
import type { Recording } from '../model/recording';
import type { Scenario } from '../model/scenario';
import { version } from '../version';
import { sha256Hex } from './sha256';

export const MANIFEST_FORMAT = 'mesostp-blocks/1';
export const MANIFEST_FILE = 'manifest.json';
export const BLOCKS_DIR = 'blocks';
const BLOCK_MAGIC = 'MSTPBLK1';

/** What a checkpointed run is; two folders with equal manifests (shard aside) hold blocks of one run. */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  /** mesostp's version (src/version.ts). */
  version: string;
  /** sha256 of the canonical JSON (sorted keys) of the parsed scenario without run.seed (the seed is its own field). */
  scenarioHash: string;
  scenario: string;
  seed: number;
  level: string;
  /** The engine's options as run (threads a number, "auto" resolved), sorted by name. */
  options: Record<string, string | number>;
  trials: number;
  blockTrials: number;
  blocks: number;
  /** The shard this folder runs (1-based index of count), or null: every block. Not compared by merge. */
  shard: { index: number; count: number } | null;
}

/**
 * The manifest of a checkpointed run of `scenario` at `level` with the engine options as run
 * (`options`, sorted by name), in blocks of `blockTrials` (undefined: the default for its trials,
 * level and threads): what the CLI writes and the app saves under.
 */
export function runManifestOf(
  scenario: Scenario,
  level: string,
  options: Record<string, string | number>,
  blockTrials: number | undefined,
  shard: Manifest['shard'],
): Manifest {
  const block = blockTrials ?? defaultBlockTrials(scenario.run.trials, level, typeof options.threads === 'number' ? options.threads : 1);
  return {
    format: MANIFEST_FORMAT,
    version,
    scenarioHash: scenarioHash(scenario),
    scenario: scenario.name,
    seed: scenario.run.seed,
    level,
    options,
    trials: scenario.run.trials,
    blockTrials: block,
    blocks: Math.ceil(scenario.run.trials / block),
    shard,
  };
}

/** JSON with every object's keys sorted: the same text for the same value whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)
      ? Object.fromEntries(
          Object.keys(v as object)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/** sha256 (hex) of the canonical JSON of the parsed scenario, run.seed left out. */
export function scenarioHash(scenario: Scenario): string {
  const { seed: _seed, ...run } = scenario.run;
  return sha256Hex(canonicalJson({ ...scenario, run }));
}

/** The levels that run on the GPU, whose blocks each pay the GPU set-up (pipelines, buffers). */
const GPU_LEVELS: readonly string[] = ['micro-gpu', 'meso-gpu'];

/**
 * The trials per block when --block-trials is not given: ceil(trials / 16), so that a crash loses
 * at most about 1/16 of the run while the engine's set-up (compiling, GPU pipelines, worker
 * threads) is paid 16 times at most; but at least one trial per worker thread (the CPU engines'
 * threads split a block's trials) and at least 256 trials on the GPU engines, whose set-up (pipelines,
 * buffers) costs about a second per block on a software adapter (3 s for meso-gpu) and which runs hundreds of trials
 * in one batch. A function of the level, the trial count and the threads only, all of which the
 * manifest holds, so the same command gives the same layout.
 */
export function defaultBlockTrials(trials: number, level = 'micro-cpu', threads = 1): number {
  const floor = GPU_LEVELS.includes(level) ? 256 : Math.max(1, threads);
  return Math.min(trials, Math.max(1, Math.ceil(trials / 16), floor));
}

/** The trial ranges [from, to) of the blocks, in order: blockTrials each, the last one shorter. */
export function blockRanges(trials: number, blockTrials: number): [number, number][] {
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`blockRanges: trials must be a positive integer, got ${trials}`);
  if (!Number.isInteger(blockTrials) || blockTrials < 1) throw new RangeError(`blockRanges: blockTrials must be a positive integer, got ${blockTrials}`);
  const out: [number, number][] = [];
  for (let a = 0; a < trials; a += blockTrials) out.push([a, Math.min(trials, a + blockTrials)]);
  return out;
}

/** Parses "K/N" (1 ≤ K ≤ N): the shard that runs the blocks b with b mod N = K − 1. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count)
    throw new Error(`--shard ${text}: expected K/N with 1 ≤ K ≤ N (shard K of N runs the blocks b with b mod N = K − 1), e.g. --shard 1/3`);
  return { index, count };
}

/** The block indices a shard runs (every block without one). */
export function shardBlocks(blocks: number, shard: Manifest['shard']): number[] {
  const all = Array.from({ length: blocks }, (_, b) => b);
  return shard ? all.filter((b) => b % shard.count === shard.index - 1) : all;
}

/** "0–3, 7, 9–10": block indices in words. */
export function formatBlockList(blocks: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < blocks.length; ) {
    let j = i;
    while (j + 1 < blocks.length && blocks[j + 1] === blocks[j] + 1) j++;
    parts.push(j === i ? `${blocks[i]}` : `${blocks[i]}–${blocks[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** What a run's or a sweep's manifest has in common: what names the scenario and the program. */
interface ManifestIdentity {
  format: string;
  version: string;
  scenario: string;
  scenarioHash: string;
}

/**
 * What differs between two manifests, in words (empty: the same): the format, version and
 * scenario, then each of `fields` as [its name in the message, its key].
 */
export function manifestFieldDifferences<M extends ManifestIdentity>(have: M, want: M, fields: readonly (readonly [string, keyof M])[]): string[] {
  const out: string[] = [];
  const field = (name: string, a: unknown, b: unknown) => {
    if (canonicalJson(a) !== canonicalJson(b)) out.push(`${name} ${canonicalJson(a)} there, ${canonicalJson(b)} here`);
  };
  field('format', have.format, want.format);
  field('mesostp version', have.version, want.version);
  if (have.scenarioHash !== want.scenarioHash)
    out.push(`scenario "${have.scenario}" (sha256 ${have.scenarioHash.slice(0, 12)}…) there, "${want.scenario}" (${want.scenarioHash.slice(0, 12)}…) here`);
  for (const [name, key] of fields) field(name, have[key], want[key]);
  return out;
}

/** What differs between two manifests, in words (empty: the same run); the shard is left out. */
export function manifestDifferences(have: Manifest, want: Manifest): string[] {
  return manifestFieldDifferences(have, want, [
    ['seed', 'seed'],
    ['level', 'level'],
    ['options', 'options'],
    ['trials', 'trials'],
    ['block trials', 'blockTrials'],
  ]);
}

/** The name of block k's file in the blocks folder: block-000003.bin. */
export function blockFileName(k: number): string {
  return `block-${String(k).padStart(6, '0')}.bin`;
}

/** The block index a file name names (blockFileName's inverse), or null for any other name. */
export function blockIndexOf(name: string): number | null {
  const m = /^block-(\d+)\.bin$/.exec(name);
  return m ? Number(m[1]) : null;
}

// ---- block files: a JSON header naming every value, then the typed arrays' raw bytes ----

/** A hash of bytes as lowercase hex: sha256Hex, or the CLI's node:crypto (same digests, faster on large blocks). */
export type Sha256 = (bytes: Uint8Array) => string;
/** The same, asynchronous: the browser's SubtleCrypto (native speed, off the page's thread). */
export type Sha256Async = (bytes: Uint8Array) => Promise<string>;

type Encoded = null | boolean | string | number | Encoded[] | { [key: string]: Encoded };
const TYPED = { Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array } as const;
type TypedName = keyof typeof TYPED;

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Serialises a Recording into one buffer, bit for bit: every typed array's bytes as they are
 * (little-endian, the only byte order mesostp runs on), every number exactly (NaN, ±Infinity and
 * −0 by name), so that decodeBlock gives back an equal Recording.
 *
 * Layout: "MSTPBLK1", the header's length (u64 LE), the header (UTF-8 JSON padded with spaces
 * so that the arrays start at a multiple of 8: payload length, its sha256, the Recording with
 * each typed array replaced by its type, offset and length), then the arrays, each padded to 8 bytes.
 */
export function encodeBlock(rec: Recording, sha256: Sha256 = sha256Hex): Uint8Array {
  const { tree, payload } = blockPayload(rec);
  return assembleBlock(tree, payload, sha256(payload));
}

/** encodeBlock with an asynchronous hash: the same bytes. */
export async function encodeBlockAsync(rec: Recording, sha256: Sha256Async): Promise<Uint8Array> {
  const { tree, payload } = blockPayload(rec);
  return assembleBlock(tree, payload, await sha256(payload));
}

/** The Recording with its typed arrays replaced by references into `payload`, their bytes one after another. */
function blockPayload(rec: Recording): { tree: Encoded; payload: Uint8Array } {
  if (!littleEndian) throw new Error('block files are written on little-endian machines only');
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const walk = (v: unknown): Encoded => {
    if (v === undefined) return { $undefined: true };
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return { $number: 'NaN' };
      if (v === Infinity) return { $number: 'Infinity' };
      if (v === -Infinity) return { $number: '-Infinity' };
      if (Object.is(v, -0)) return { $number: '-0' };
      return v;
    }
    if (ArrayBuffer.isView(v)) {
      const type = v.constructor.name;
      if (!(type in TYPED)) throw new Error(`encodeBlock: cannot store a ${type}`);
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      chunks.push(bytes);
      const at = offset;
      offset += Math.ceil(bytes.byteLength / 8) * 8;
      return { $array: type, offset: at, length: (v as unknown as { length: number }).length };
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, walk(x)]));
    throw new Error(`encodeBlock: cannot store a ${typeof v}`);
  };
  const tree = walk(rec);
  // Zero-filled: each array's padding to 8 bytes is zeros.
  const payload = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    payload.set(c, at);
    at += Math.ceil(c.byteLength / 8) * 8;
  }
  return { tree, payload };
}

function assembleBlock(tree: Encoded, payload: Uint8Array, digest: string): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ payloadBytes: payload.byteLength, sha256: digest, recording: tree }));
  const headerPadded = Math.ceil((header.byteLength + 16) / 8) * 8 - 16;
  const out = new Uint8Array(16 + headerPadded + payload.byteLength).fill(0x20);
  for (let i = 0; i < BLOCK_MAGIC.length; i++) out[i] = BLOCK_MAGIC.charCodeAt(i);
  new DataView(out.buffer).setBigUint64(8, BigInt(headerPadded), true);
  out.set(header, 16);
  out.set(payload, 16 + headerPadded);
  return out;
}

interface BlockHeader {
  payloadBytes: number;
  sha256: string;
  recording: Encoded;
}

/** The Recording of a block file's bytes; throws when they are not a whole, intact block. */
export function decodeBlock(bytes: Uint8Array, what = 'block', sha256: Sha256 = sha256Hex): Recording {
  const { header, payload } = splitBlock(bytes, what);
  return restoreBlock(header, payload, sha256(payload), what);
}

/** decodeBlock with an asynchronous hash. */
export async function decodeBlockAsync(bytes: Uint8Array, what: string, sha256: Sha256Async): Promise<Recording> {
  const { header, payload } = splitBlock(bytes, what);
  return restoreBlock(header, payload, await sha256(payload), what);
}

function splitBlock(bytes: Uint8Array, what: string): { header: BlockHeader; payload: Uint8Array } {
  const magic = bytes.byteLength >= 16 ? String.fromCharCode(...bytes.subarray(0, 8)) : '';
  if (magic !== BLOCK_MAGIC) throw new Error(`${what} is not a mesostp block file`);
  const headerBytes = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(8, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerBytes))) as BlockHeader;
  return { header, payload: bytes.subarray(16 + headerBytes) };
}

function restoreBlock(header: BlockHeader, payload: Uint8Array, digest: string, what: string): Recording {
  if (payload.byteLength !== header.payloadBytes || digest !== header.sha256)
    throw new Error(`${what} is damaged (its arrays do not match their checksum); delete it and run with --resume to compute it again`);
  const walk = (v: Encoded): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(walk);
    if (v.$undefined === true) return undefined;
    if (typeof v.$number === 'string') return Number(v.$number);
    if (typeof v.$array === 'string') {
      const Type = TYPED[v.$array as TypedName];
      const out = new Type(v.length as number);
      new Uint8Array(out.buffer).set(payload.subarray(v.offset as number, (v.offset as number) + out.byteLength));
      return out;
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return walk(header.recording) as Recording;
}

/**
 * The blocks' Recordings merged in index order (one block too, so that the files have the same
 * types whatever the number of blocks); they ran one after another, so their times add up.
 */
export function mergeBlocks(parts: Recording[]): Recording {
  return { ...mergeSequentialRecordings(parts, true), wallSeconds: parts.reduce((s, r) => s + r.wallSeconds, 0) };
}

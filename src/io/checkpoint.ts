/**
 * Checkpointed runs (docs/cli.md, "Checkpoints, resume and shards"): the folder of a
 * `mesostp run --out DIR` holds
 *
 *     DIR/manifest.json            what the run is: scenario hash, seed, engine and options, version, block layout
 *     DIR/blocks/block-000003.bin  each completed block of trials, the whole Recording, bit for bit
 *     DIR/*.npy, DIR/summary.json  the merged output; summary.json is written last (the "complete" marker)
 *
 * Every file is written to a temporary name in its folder and then renamed, so that a run killed
 * at any point leaves either the whole file or none of it. A block file is written only for a
 * block that completed every step.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename, join } from 'node:path';
import type { Recording } from '../model/recording';
import type { Scenario } from '../model/scenario';

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
  return createHash('sha256')
    .update(canonicalJson({ ...scenario, run }))
    .digest('hex');
}

/**
 * The trials per block when --block-trials is not given: ceil(trials / 16), so that a crash loses
 * at most about 1/16 of the run while the engine's set-up (compiling, GPU pipelines, worker
 * threads) is paid 16 times at most; but at least one trial per worker thread (micro-cpu's
 * threads split a block's trials) and at least 256 trials on micro-gpu, whose set-up (pipelines,
 * buffers) costs about a second per block on a software adapter and which runs hundreds of trials
 * in one batch. A function of the level, the trial count and the threads only, all of which the
 * manifest holds, so the same command gives the same layout.
 */
export function defaultBlockTrials(trials: number, level = 'micro-cpu', threads = 1): number {
  const floor = level === 'micro-gpu' ? 256 : Math.max(1, threads);
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

/** What differs between two manifests, in words (empty: the same run); the shard is left out. */
export function manifestDifferences(have: Manifest, want: Manifest): string[] {
  const out: string[] = [];
  const field = (name: string, a: unknown, b: unknown) => {
    if (canonicalJson(a) !== canonicalJson(b)) out.push(`${name} ${canonicalJson(a)} there, ${canonicalJson(b)} here`);
  };
  field('format', have.format, want.format);
  field('mesostp version', have.version, want.version);
  if (have.scenarioHash !== want.scenarioHash)
    out.push(`scenario "${have.scenario}" (sha256 ${have.scenarioHash.slice(0, 12)}…) there, "${want.scenario}" (${want.scenarioHash.slice(0, 12)}…) here`);
  field('seed', have.seed, want.seed);
  field('level', have.level, want.level);
  field('options', have.options, want.options);
  field('trials', have.trials, want.trials);
  field('block trials', have.blockTrials, want.blockTrials);
  return out;
}

/** The names writeFileAtomic writes to before it renames. */
const TEMPORARY = /^\..*\.tmp-\d+$/;

/** Writes `data` to `file` by way of a temporary file in the same folder, synced and renamed: all of it or nothing. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(file, '..', `.${basename(file)}.tmp-${process.pid}`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

/** Removes what a killed writer left: the temporary files of writeFileAtomic in `dir`. */
export async function removeStaleTemporaries(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const name of await readdir(dir)) if (TEMPORARY.test(name)) await unlink(join(dir, name)).catch(() => {});
}

export async function writeManifest(dir: string, m: Manifest): Promise<void> {
  await mkdir(join(dir, BLOCKS_DIR), { recursive: true });
  await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(m, null, 2)}\n`);
}

/** The manifest of `dir`, or null when it has none; throws naming the file when it is not one. */
export async function readManifest(dir: string): Promise<Manifest | null> {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return null;
  const m = JSON.parse(await readFile(file, 'utf8')) as Manifest;
  if (m?.format !== MANIFEST_FORMAT)
    throw new Error(`${file} is not a mesostp run manifest (format ${JSON.stringify(m?.format)}, expected ${MANIFEST_FORMAT})`);
  return m;
}

export function blockFile(dir: string, k: number): string {
  return join(dir, BLOCKS_DIR, `block-${String(k).padStart(6, '0')}.bin`);
}

/** The indices of the block files in `dir`, ascending. */
export async function listBlocks(dir: string): Promise<number[]> {
  const blocks = join(dir, BLOCKS_DIR);
  if (!existsSync(blocks)) return [];
  return (await readdir(blocks))
    .map((n) => /^block-(\d+)\.bin$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

// ---- block files: a JSON header naming every value, then the typed arrays' raw bytes ----

type Encoded = null | boolean | string | number | Encoded[] | { [key: string]: Encoded };
const TYPED = { Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array } as const;
type TypedName = keyof typeof TYPED;

/**
 * Serialises a Recording into one buffer, bit for bit: every typed array's bytes as they are
 * (little-endian, the only byte order mesostp runs on), every number exactly (NaN, ±Infinity and
 * −0 by name), so that readBlock gives back an equal Recording.
 */
export function encodeBlock(rec: Recording): Uint8Array {
  if (endianness() !== 'LE') throw new Error('block files are written on little-endian machines only');
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
      const padded = Math.ceil(bytes.byteLength / 8) * 8;
      const chunk = new Uint8Array(padded);
      chunk.set(bytes);
      chunks.push(chunk);
      const at = offset;
      offset += padded;
      return { $array: type, offset: at, length: (v as unknown as { length: number }).length };
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, walk(x)]));
    throw new Error(`encodeBlock: cannot store a ${typeof v}`);
  };
  const tree = walk(rec);
  const payload = Buffer.concat(chunks);
  const header = Buffer.from(JSON.stringify({ payloadBytes: payload.byteLength, sha256: createHash('sha256').update(payload).digest('hex'), recording: tree }));
  const headerPadded = Math.ceil((header.byteLength + 16) / 8) * 8 - 16;
  const out = Buffer.alloc(16 + headerPadded + payload.byteLength, 0x20);
  out.write(BLOCK_MAGIC, 0, 'latin1');
  out.writeBigUInt64LE(BigInt(headerPadded), 8);
  header.copy(out, 16);
  payload.copy(out, 16 + headerPadded);
  return out;
}

/** The Recording of a block file's bytes; throws when they are not a whole, intact block. */
export function decodeBlock(bytes: Uint8Array, what = 'block'): Recording {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.byteLength < 16 || buf.toString('latin1', 0, 8) !== BLOCK_MAGIC) throw new Error(`${what} is not a mesostp block file`);
  const headerBytes = Number(buf.readBigUInt64LE(8));
  const header = JSON.parse(buf.toString('utf8', 16, 16 + headerBytes)) as { payloadBytes: number; sha256: string; recording: Encoded };
  const start = 16 + headerBytes;
  const payload = buf.subarray(start);
  if (payload.byteLength !== header.payloadBytes || createHash('sha256').update(payload).digest('hex') !== header.sha256)
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

/** Writes block k's Recording as DIR/blocks/block-<k>.bin, atomically. */
export async function writeBlock(dir: string, k: number, rec: Recording): Promise<void> {
  if (rec.cancelled || rec.completedSteps !== rec.steps) throw new Error(`block ${k} did not complete (a cancelled block is never saved)`);
  await mkdir(join(dir, BLOCKS_DIR), { recursive: true });
  await writeFileAtomic(blockFile(dir, k), encodeBlock(rec));
}

export async function readBlock(dir: string, k: number): Promise<Recording> {
  const file = blockFile(dir, k);
  return decodeBlock(await readFile(file), file);
}

/** What an output folder holds: nothing (absent or empty), a run (its manifest), or other files. */
export async function outState(dir: string): Promise<{ kind: 'empty' } | { kind: 'run'; manifest: Manifest } | { kind: 'other' }> {
  if (!existsSync(dir)) return { kind: 'empty' };
  if (!(await stat(dir)).isDirectory()) return { kind: 'other' };
  // A run killed while it wrote its manifest leaves only a temporary file and an empty blocks/.
  const names = (await readdir(dir)).filter((n) => !TEMPORARY.test(n));
  const emptyBlocks =
    names.length === 1 &&
    names[0] === BLOCKS_DIR &&
    (await stat(join(dir, BLOCKS_DIR))).isDirectory() &&
    (await readdir(join(dir, BLOCKS_DIR))).every((n) => TEMPORARY.test(n));
  if (names.length === 0 || emptyBlocks) {
    await emptyDir(dir);
    return { kind: 'empty' };
  }
  try {
    const manifest = await readManifest(dir);
    return manifest ? { kind: 'run', manifest } : { kind: 'other' };
  } catch {
    return { kind: 'other' };
  }
}

/** Empties `dir` (--force), keeping the folder itself. */
export async function emptyDir(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
}

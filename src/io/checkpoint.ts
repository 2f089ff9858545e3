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
import { basename, join } from 'node:path';
import type { Recording } from '../model/recording';
import {
  BLOCKS_DIR,
  blockFileName,
  blockIndexOf,
  decodeBlock as decodeBlockWith,
  encodeBlock as encodeBlockWith,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  type Manifest,
} from './blockFormat';

// What needs no file system lives in ./blockFormat.ts (the browser app bundles it); the CLI takes it from here.
export {
  BLOCKS_DIR,
  blockRanges,
  canonicalJson,
  defaultBlockTrials,
  formatBlockList,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  type Manifest,
  manifestDifferences,
  manifestFieldDifferences,
  parseShard,
  runManifestOf,
  scenarioHash,
  shardBlocks,
} from './blockFormat';

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
  return join(dir, BLOCKS_DIR, blockFileName(k));
}

/** The indices of the block files in `dir`, ascending. */
export async function listBlocks(dir: string): Promise<number[]> {
  const blocks = join(dir, BLOCKS_DIR);
  if (!existsSync(blocks)) return [];
  return (await readdir(blocks))
    .map(blockIndexOf)
    .filter((k): k is number => k !== null)
    .sort((a, b) => a - b);
}

// ---- block files (./blockFormat.ts), checksummed with node:crypto: the same bytes, faster on large blocks ----

const nodeSha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A Recording as a block file's bytes, bit for bit (./blockFormat.ts's encodeBlock). */
export function encodeBlock(rec: Recording): Uint8Array {
  return encodeBlockWith(rec, nodeSha256);
}

/** The Recording of a block file's bytes; throws when they are not a whole, intact block. */
export function decodeBlock(bytes: Uint8Array, what = 'block'): Recording {
  return decodeBlockWith(bytes, what, nodeSha256);
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

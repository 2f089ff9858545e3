/**
 * The folder of a sweep (`mesostp sweep --out DIR`, docs/cli.md):
 *
 *     DIR/manifest.json          what the sweep is (format mesostp-sweep/1): the base scenario's hash, the
 *                                --vary fields and values, level, engine options, trials, duration, seed, recording
 *     DIR/points/003/            point 3: a checkpointed run, as `mesostp run --out` writes it
 *     DIR/sweep.csv, sweep.json  the table, written once every point is complete
 *     DIR/figures/*.svg          a figure per quantity
 *
 * Shards of one sweep (SLURM array tasks) share DIR and may start at the same moment: the
 * manifest is created whole or not at all (a temporary file hard-linked to its name, which fails
 * when another shard was first), and every file written here has a temporary name of its own
 * (process id and random bytes), so that two writers never write into one file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { canonicalJson, MANIFEST_FILE, MANIFEST_FORMAT, manifestFieldDifferences } from '../io/checkpoint';
import { parsePath, setAt } from '../model/jsonPath';
import type { Vary } from './grid';

export const SWEEP_FORMAT = 'mesostp-sweep/1';
export const POINTS_DIR = 'points';

export interface SweepManifest {
  format: typeof SWEEP_FORMAT;
  version: string;
  scenario: string;
  /** sha256 of the canonical JSON of the scenario file after the flags (--trials, --duration, --record, …), run.seed and the varied fields left out. */
  scenarioHash: string;
  seed: number;
  level: string;
  /** The engine's options as run (threads a number), sorted by name. */
  options: Record<string, string | number>;
  trials: number;
  duration: number;
  record: { trials: string; keepTrials: number | null };
  /** --block-trials, or null: each point's default. */
  blockTrials: number | null;
  /** The --vary arguments, in order (the first varies slowest), with their values. */
  vary: Vary[];
  points: number;
}

/** sha256 of the base scenario: its JSON after the flags, with run.seed and every varied field left out. */
export function baseScenarioHash(json: Record<string, unknown>, varies: readonly Vary[]): string {
  let base = json;
  for (const v of varies) base = setAt(base, parsePath(v.path), null);
  const { seed: _seed, ...run } = (base.run ?? {}) as Record<string, unknown>;
  return createHash('sha256')
    .update(canonicalJson({ ...base, run }))
    .digest('hex');
}

/** What differs between two sweep manifests, in words (empty: the same sweep). */
export function sweepDifferences(have: SweepManifest, want: SweepManifest): string[] {
  const out = manifestFieldDifferences(have, want, [
    ['seed', 'seed'],
    ['level', 'level'],
    ['options', 'options'],
    ['trials', 'trials'],
    ['duration', 'duration'],
    ['record', 'record'],
    ['block trials', 'blockTrials'],
  ]);
  const grid = (m: SweepManifest) => m.vary.map((v) => ({ path: v.path, values: v.values }));
  if (canonicalJson(grid(have)) !== canonicalJson(grid(want)))
    out.push(`--vary ${have.vary.map((v) => v.spec).join(' --vary ')} there, --vary ${want.vary.map((v) => v.spec).join(' --vary ')} here`);
  return out;
}

/** The names of temporary files: writeFileAtomic's (.NAME.tmp-PID) and writeShared's (.NAME.tmp-PID-HEX). */
const TEMPORARY = /^\..*\.tmp-\d+(-[0-9a-f]+)?$/;

async function writeTemporary(file: string, data: string | Uint8Array): Promise<string> {
  const tmp = join(file, '..', `.${basename(file)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return tmp;
}

/** Writes `file` whole, by way of a temporary file no other process uses: safe when several shards write the same (identical) file. */
export async function writeShared(file: string, data: string | Uint8Array): Promise<void> {
  await rename(await writeTemporary(file, data), file);
}

/** What a sweep's folder holds: nothing (absent, empty, or temporary files only), a sweep, a run, or other files. */
export type SweepDirState = { kind: 'empty' } | { kind: 'sweep'; manifest: SweepManifest } | { kind: 'run' } | { kind: 'other' };

/** Reads the state of `dir` without changing anything in it (other shards may be writing there). */
export async function sweepDirState(dir: string): Promise<SweepDirState> {
  if (!existsSync(dir)) return { kind: 'empty' };
  if (!(await stat(dir)).isDirectory()) return { kind: 'other' };
  const names = (await readdir(dir)).filter((n) => !TEMPORARY.test(n));
  if (names.length === 0) return { kind: 'empty' };
  if (!names.includes(MANIFEST_FILE)) return { kind: 'other' };
  try {
    const m = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as { format?: unknown };
    if (m?.format === SWEEP_FORMAT) return { kind: 'sweep', manifest: m as SweepManifest };
    if (m?.format === MANIFEST_FORMAT) return { kind: 'run' };
  } catch {}
  return { kind: 'other' };
}

/**
 * Creates DIR/manifest.json unless it exists: `created`, or the manifest another process wrote
 * first (which the caller compares with its own).
 */
export async function createSweepManifest(dir: string, m: SweepManifest): Promise<{ created: true } | { created: false; existing: SweepManifest }> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, MANIFEST_FILE);
  const tmp = await writeTemporary(file, `${JSON.stringify(m, null, 2)}\n`);
  try {
    await link(tmp, file);
    return { created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { created: false, existing: JSON.parse(await readFile(file, 'utf8')) as SweepManifest };
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** The folder of point `name`. */
export function pointDir(dir: string, name: string): string {
  return join(dir, POINTS_DIR, name);
}

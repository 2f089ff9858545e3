/**
 * A run in blocks of trials (./checkpoint.ts): each block runs with EngineContext.trialRange and
 * is saved as soon as it completes; the output is the blocks merged in index order, so that an
 * uninterrupted run, an interrupted and resumed one, and shards merged by `mesostp merge` give
 * the same bytes. `mesostp run --out` always runs this way.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runEngine, type EngineId } from '../engines';
import type { EngineContext, OptionValues } from '../engines/types';
import type { Progress, Recording } from '../model/recording';
import type { Scenario } from '../model/scenario';
import {
  blockFile,
  blockRanges,
  decodeBlock,
  BLOCKS_DIR,
  formatBlockList,
  listBlocks,
  manifestDifferences,
  type Manifest,
  readBlock,
  readManifest,
  removeStaleTemporaries,
  shardBlocks,
  writeBlock,
  writeFileAtomic,
  writeManifest,
} from './checkpoint';
import { mergeBlocks } from './blockFormat';

// The merge of blocks needs no file system: ./blockFormat.ts (the browser app merges its saved blocks with it).
export { mergeBlocks };

export interface BlockedRunOptions {
  dir: string;
  manifest: Manifest;
  scenario: Scenario;
  level: EngineId;
  options: OptionValues;
  /** Passed to every block's run (gpu, workerScript, chunkSteps, ...). */
  ctx?: Omit<EngineContext, 'trialRange' | 'signal' | 'onProgress'>;
  signal?: AbortSignal;
  /** Progress over the blocks this process has to run (blocks already saved count as done). */
  onProgress?: (p: Progress) => void;
  /** Called after each block file is written. */
  onBlock?: (k: number) => void;
}

export interface BlockedRunResult {
  /** What to write as the run's output: every block merged; after a cancel the leading blocks and the partial one (cancelled: true); null when there is nothing to write (a shard, or nothing run). */
  recording: Recording | null;
  /** Every block of the run is saved. */
  complete: boolean;
  /** The blocks this call computed and saved. */
  ran: number[];
  /** The blocks of the whole run not saved in dir. */
  missing: number[];
}

/** Runs the blocks of manifest.shard (every block without one) that `dir` does not hold yet, saving each. */
export async function runBlocks(o: BlockedRunOptions): Promise<BlockedRunResult> {
  const { dir, manifest } = o;
  const ranges = blockRanges(manifest.trials, manifest.blockTrials);
  if (ranges.length !== manifest.blocks) throw new Error(`the manifest of ${dir} says ${manifest.blocks} blocks, its layout gives ${ranges.length}`);
  await mkdir(join(dir, BLOCKS_DIR), { recursive: true });
  await removeStaleTemporaries(join(dir, BLOCKS_DIR));
  const have = new Set(await listBlocks(dir));
  const mine = shardBlocks(manifest.blocks, manifest.shard);
  const size = (b: number) => ranges[b][1] - ranges[b][0];
  const total = mine.reduce((s, b) => s + size(b), 0);
  let done = mine.filter((b) => have.has(b)).reduce((s, b) => s + size(b), 0);
  const ran: number[] = [];
  let partial: { k: number; rec: Recording } | null = null;
  for (const k of mine) {
    if (have.has(k)) continue;
    if (o.signal?.aborted) break;
    const rec = await runEngine(o.level, o.scenario, o.options, {
      ...o.ctx,
      trialRange: ranges[k],
      signal: o.signal,
      onProgress: (p) => o.onProgress?.({ ...p, fraction: (done + p.fraction * size(k)) / total }),
    });
    if (rec.cancelled || rec.completedSteps < rec.steps) {
      partial = { k, rec };
      break;
    }
    await writeBlock(dir, k, rec);
    have.add(k);
    ran.push(k);
    done += size(k);
    o.onBlock?.(k);
  }
  const missing = ranges.map((_, b) => b).filter((b) => !have.has(b));
  const complete = missing.length === 0;
  if (complete) {
    // Read back from the files, so that every way of reaching this point merges the same bytes.
    const parts: Recording[] = [];
    for (let b = 0; b < manifest.blocks; b++) parts.push(await readBlock(dir, b));
    return { recording: mergeBlocks(parts), complete, ran, missing };
  }
  if (manifest.shard) return { recording: null, complete, ran, missing };
  // Cancelled: the leading saved blocks, and the partial block when it follows them.
  const parts: Recording[] = [];
  let b = 0;
  for (; have.has(b); b++) parts.push(await readBlock(dir, b));
  if (partial && partial.k === b) parts.push(partial.rec);
  if (parts.length === 0) return { recording: null, complete, ran, missing };
  return { recording: { ...mergeBlocks(parts), cancelled: true }, complete, ran, missing };
}

/** What `mesostp merge` found: the merged run, or why not. */
export type MergeCheck = { ok: true; manifest: Manifest; sources: string[] } | { ok: false; problems: string[] };

/** Checks that the folders hold blocks of one run and, together, every block; `sources[b]` is the folder block b is taken from. */
export async function checkShards(dirs: readonly string[]): Promise<MergeCheck> {
  const problems: string[] = [];
  const manifests: Manifest[] = [];
  for (const dir of dirs) {
    let m: Manifest | null = null;
    try {
      m = await readManifest(dir);
    } catch (error) {
      problems.push((error as Error).message);
      continue;
    }
    if (!m) problems.push(`${dir} is not a mesostp run (no ${join(dir, 'manifest.json')})`);
    else manifests.push(m);
  }
  if (problems.length > 0) return { ok: false, problems };
  const first = manifests[0];
  for (let i = 1; i < manifests.length; i++) {
    const diff = manifestDifferences(first, manifests[i]);
    if (diff.length > 0)
      problems.push(
        `${dirs[i]} is not a shard of the run in ${dirs[0]}: ${diff.join('; ').replaceAll(' there,', ` in ${dirs[0]},`).replaceAll(' here', ` in ${dirs[i]}`)}`,
      );
  }
  if (problems.length > 0) return { ok: false, problems };
  const sources: (string | undefined)[] = new Array(first.blocks).fill(undefined);
  for (const dir of dirs) for (const b of await listBlocks(dir)) if (b < first.blocks && sources[b] === undefined) sources[b] = dir;
  const missing = sources.map((s, b) => (s === undefined ? b : -1)).filter((b) => b >= 0);
  if (missing.length > 0)
    return {
      ok: false,
      problems: [
        `blocks ${formatBlockList(missing)} of the ${first.blocks} blocks (0–${first.blocks - 1}) are missing: run the shards that hold them, or continue an interrupted shard with --resume`,
      ],
    };
  return { ok: true, manifest: first, sources: sources as string[] };
}

/** Writes into `out` (empty) the run the shards make together: its manifest, every block file and the merged recording, returned. */
export async function mergeShards(out: string, manifest: Manifest, sources: readonly string[]): Promise<Recording> {
  await writeManifest(out, { ...manifest, shard: null });
  const parts: Recording[] = [];
  for (let b = 0; b < manifest.blocks; b++) {
    const bytes = await readFile(blockFile(sources[b], b));
    parts.push(decodeBlock(bytes, blockFile(sources[b], b)));
    await writeFileAtomic(blockFile(out, b), bytes);
  }
  return mergeBlocks(parts);
}

/** Removes the merged output's marker (summary.json) before a run changes its folder, so that a half-written output never looks complete. */
export async function withdrawOutput(dir: string): Promise<void> {
  await removeStaleTemporaries(dir);
  await rm(join(dir, 'summary.json'), { force: true });
}

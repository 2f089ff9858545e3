/**
 * The points of a sweep: each point's scenario validated (and checked against the engine) before
 * anything runs, then each point run as `mesostp run --out DIR/points/NNN` runs (blocks of
 * trials saved as they complete, a killed point resumed block by block), one after another.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunSummary } from '../analysis/summary';
import { unsupportedFeatures } from '../compile/support';
import type { EngineContext, EngineId, OptionValues } from '../engines';
import { runBlocks } from '../io/blockedRun';
import { type Manifest, manifestDifferences, readManifest, writeManifest } from '../io/checkpoint';
import { prepareOut } from '../io/prepareOut';
import { writeRecording } from '../io/recordingFiles';
import type { Progress } from '../model/recording';
import type { Scenario } from '../model/scenario';
import { formatIssue, validateScenario } from '../model/validate';
import { applyPoint, gridPoints, pointName, pointText, type Vary } from './grid';
import { pointDir } from './manifest';

export interface SweepPoint {
  index: number;
  /** Its folder's name: "003". */
  name: string;
  values: number[];
  scenario: Scenario;
  /** The manifest of its run (as `mesostp run --out` writes it). */
  manifest: Manifest;
  dir: string;
}

/** The flags that make each point's manifest: a function of the point's scenario. */
export type PointManifest = (scenario: Scenario) => Manifest;

/**
 * Every point of the grid with its validated scenario and its manifest; or, when any point is
 * invalid or uses what the engine does not model, every such problem (one line each, naming the
 * point, its values and the field). `warnings`: the validator's warnings, each once.
 */
export function sweepPoints(
  dir: string,
  json: Record<string, unknown>,
  varies: readonly Vary[],
  level: EngineId,
  manifestOf: PointManifest,
): { points: SweepPoint[]; warnings: string[] } | { problems: string[]; warnings: string[] } {
  const grid = gridPoints(varies);
  const points: SweepPoint[] = [];
  const problems: string[] = [];
  const warnings = new Set<string>();
  grid.forEach((values, index) => {
    const name = pointName(index, grid.length);
    const what = `point ${name} (${pointText(varies, values)})`;
    const checked = validateScenario(applyPoint(json, varies, values));
    for (const w of checked.warnings) warnings.add(formatIssue(w));
    if (!checked.ok) {
      for (const e of checked.errors) problems.push(`${what}: ${formatIssue(e)}`);
      return;
    }
    const unsupported = unsupportedFeatures(level, checked.scenario);
    for (const u of unsupported) problems.push(`${what}: ${u.path}: the ${level} engine does not model this: ${u.message}`);
    if (unsupported.length > 0) return;
    points.push({ index, name, values, scenario: checked.scenario, manifest: manifestOf(checked.scenario), dir: pointDir(dir, name) });
  });
  return problems.length > 0 ? { problems, warnings: [...warnings] } : { points, warnings: [...warnings] };
}

/** The points shard K of N runs: p mod N = K − 1 (every point without a shard). */
export function shardPoints<T extends { index: number }>(points: readonly T[], shard: { index: number; count: number } | null): T[] {
  return shard ? points.filter((p) => p.index % shard.count === shard.index - 1) : [...points];
}

/** Whether the point's folder holds anything (it has been started). */
export function pointStarted(p: SweepPoint): boolean {
  return existsSync(p.dir) && readdirSync(p.dir).length > 0;
}

/** The point's summary.json when the point is complete (its manifest is this point's, its output whole and not cancelled), else null. Reads only. */
export async function completeSummary(p: SweepPoint): Promise<RunSummary | null> {
  const file = join(p.dir, 'summary.json');
  if (!existsSync(file)) return null;
  try {
    const m = await readManifest(p.dir);
    if (!m || m.shard !== null || manifestDifferences(m, p.manifest).length > 0) return null;
    const summary = JSON.parse(await readFile(file, 'utf8')) as RunSummary;
    return summary.cancelled ? null : summary;
  } catch {
    return null;
  }
}

/** The points that are not complete, in index order. */
export async function missingPoints(points: readonly SweepPoint[]): Promise<SweepPoint[]> {
  const out: SweepPoint[] = [];
  for (const p of points) if ((await completeSummary(p)) === null) out.push(p);
  return out;
}

export type PointEvent = { kind: 'complete' } | { kind: 'start'; savedBlocks: number } | { kind: 'done'; summary: RunSummary };

export interface RunPointsOptions {
  /** The points this process runs, in order. */
  points: readonly SweepPoint[];
  level: EngineId;
  /** The engine's options (levelOptions). */
  options: OptionValues;
  ctx?: Omit<EngineContext, 'trialRange' | 'signal' | 'onProgress'>;
  signal?: AbortSignal;
  onPoint?: (p: SweepPoint, e: PointEvent) => void;
  onProgress?: (p: SweepPoint, progress: Progress) => void;
}

/**
 * Runs the points that are not complete, each into its folder: a new one from the start, a
 * started one from its saved blocks. A point stopped by the signal keeps its saved blocks and
 * writes no output (--resume continues it). Throws when a point's folder holds another run.
 */
export async function runPoints(o: RunPointsOptions): Promise<{ ran: number[]; cancelled: boolean }> {
  const ran: number[] = [];
  for (const p of o.points) {
    if (o.signal?.aborted) return { ran, cancelled: true };
    if ((await completeSummary(p)) !== null) {
      o.onPoint?.(p, { kind: 'complete' });
      continue;
    }
    const prepared = await prepareOut(p.dir, p.manifest, { resume: pointStarted(p), force: false });
    if (typeof prepared === 'string') throw new Error(`point ${p.name}: ${prepared}`);
    if (prepared.resumed === 0) await writeManifest(p.dir, p.manifest);
    o.onPoint?.(p, { kind: 'start', savedBlocks: prepared.resumed });
    const result = await runBlocks({
      dir: p.dir,
      manifest: p.manifest,
      scenario: p.scenario,
      level: o.level,
      options: o.options,
      ctx: o.ctx,
      signal: o.signal,
      onProgress: (progress) => o.onProgress?.(p, progress),
    });
    if (!result.complete || !result.recording) return { ran, cancelled: true };
    // Linux reports the peak resident set in KiB: the most host memory this process held at once.
    result.recording.engine.peakHostBytes = process.resourceUsage().maxRSS * 1024;
    const summary = await writeRecording(result.recording, p.dir);
    ran.push(p.index);
    o.onPoint?.(p, { kind: 'done', summary });
  }
  return { ran, cancelled: o.signal?.aborted ?? false };
}

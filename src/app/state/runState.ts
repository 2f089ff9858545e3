/**
 * The state of a run of several levels, as the page shows it and as the end-to-end tests read
 * it (window.__mesostp): each level's status, progress and estimated time left, and the run's
 * overall status derived from them.
 */
import type { RunSummary } from '../../analysis/summary';
import type { LevelChoice } from './levels';
import type { MesoPlacement } from './mesoPlacement';

export type LevelStatus = 'queued' | 'running' | 'done' | 'cancelled' | 'failed';
export type RunStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

export interface LevelState {
  status: LevelStatus;
  fraction: number;
  etaSeconds: number | null;
  /** Why it failed (also set when a failure kept partial results). */
  error?: string;
  /** Micro: trials whose results have arrived (it runs in batches of trials). */
  trialsDone?: number;
  /**
   * Micro: its blocks of trials (the CLI's layout): how many, how many are saved in the browser's
   * storage (resumed or written by this run), and how many were resumed from an earlier run.
   */
  blocks?: { total: number; saved: number; resumed: number };
  /** Meso: where it runs, on the page's WebGPU device or in a worker, and why (placeMeso). */
  runsOn?: MesoPlacement;
  /** summary.json of what was computed (partial if cancelled or failed after some results). */
  summary?: RunSummary;
}

export type RunState = { status: RunStatus; levels: Partial<Record<LevelChoice, LevelState>> };

export const IDLE: RunState = { status: 'idle', levels: {} };

/** A run of `levels` that has just started. */
export function startRun(levels: readonly LevelChoice[]): RunState {
  const out: RunState['levels'] = {};
  for (const l of levels) out[l] = { status: 'running', fraction: 0, etaSeconds: null };
  return { status: 'running', levels: out };
}

/** The state with one level changed; the overall status follows. */
export function updateLevel(state: RunState, level: LevelChoice, change: Partial<LevelState>): RunState {
  const prev = state.levels[level] ?? { status: 'queued', fraction: 0, etaSeconds: null };
  const levels = { ...state.levels, [level]: { ...prev, ...change } };
  return { status: overallStatus(levels), levels };
}

/** Running while any level runs; then failed if any failed, cancelled if any was cancelled, else done. */
export function overallStatus(levels: RunState['levels']): RunStatus {
  const all = Object.values(levels);
  if (all.length === 0) return 'idle';
  if (all.some((l) => l.status === 'running' || l.status === 'queued')) return 'running';
  if (all.some((l) => l.status === 'failed')) return 'failed';
  if (all.some((l) => l.status === 'cancelled')) return 'cancelled';
  return 'done';
}

/** Overall progress: the mean of the levels' fractions. */
export function overallFraction(state: RunState): number {
  const all = Object.values(state.levels);
  return all.length ? all.reduce((s, l) => s + l.fraction, 0) / all.length : 0;
}

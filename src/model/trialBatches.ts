/**
 * A range of trials run in consecutive batches, each to its last step before the next starts:
 * how the CPU engines (micro-cpu, meso, macro) keep record.trials 'stats' within a fixed memory
 * however many trials a run has. Each batch's recording is cut to the trials the run keeps as
 * soon as the batch is finished, and the parts merge at the end (mergeRecordings: the statistics
 * by Chan's update). Trials draw from Philox counters of their global index, so batching changes
 * no number. The GPU engine batches for reasons of its own (src/micro/gpu/simulate.ts).
 */
import { mergeSequentialRecordings } from './mergeRecordings';
import type { Progress, Recording } from './recording';
import { keepLeadingTrials, keptInRange } from './recordingStats';
import type { Scenario } from './scenario';

/** A run advanced chunk by chunk: false when nothing is left to do (finished or aborted). */
export interface TrialRun {
  advance(): boolean;
  finish(): Recording;
}

/** Host memory one batch's per-trial arrays and state may take in 'stats' mode. */
export const STATS_BATCH_BYTES = 64 * 2 ** 20;
/** Trials per batch at most: beyond this the per-step overhead is long amortised. */
export const STATS_BATCH_MAX_TRIALS = 4096;

/** Trials per batch in 'stats' mode for `bytesPerTrial` of arrays and state (at least 1; at most `limit` when given). */
export function statsBatchTrials(bytesPerTrial: number, limit?: number): number {
  let n = Math.floor(STATS_BATCH_BYTES / Math.max(1, bytesPerTrial));
  n = Math.max(1, Math.min(STATS_BATCH_MAX_TRIALS, n));
  return limit !== undefined ? Math.max(1, Math.min(n, Math.floor(limit))) : n;
}

/** Consecutive ranges of at most `perBatch` trials covering [from, to). */
export function batchRanges(from: number, to: number, perBatch: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = from; a < to; a += perBatch) out.push([a, Math.min(to, a + perBatch)]);
  return out;
}

export interface TrialBatchesOptions {
  scenario: Scenario;
  range: [number, number];
  /** Trials per batch (the whole range: one batch). */
  perBatch: number;
  steps: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** When the run began (performance.now(); default: now), so that wallSeconds counts what came before the first batch. */
  started?: number;
  /** Starts the run of one batch, reporting its own progress to `onProgress`. */
  start(range: [number, number], onProgress: (p: Progress) => void): TrialRun;
}

export class TrialBatches implements TrialRun {
  private readonly started: number;
  private readonly ranges: [number, number][];
  private readonly parts: Recording[] = [];
  private k = 0;
  private current: TrialRun;
  private stoppedEarly = false;

  constructor(private readonly o: TrialBatchesOptions) {
    this.started = o.started ?? performance.now();
    this.ranges = batchRanges(o.range[0], o.range[1], Math.max(1, Math.floor(o.perBatch)));
    this.current = this.startBatch(0);
  }

  private startBatch(k: number): TrialRun {
    const [from, to] = this.ranges[k];
    const before = from - this.o.range[0];
    const total = this.o.range[1] - this.o.range[0];
    const steps = this.o.steps;
    return this.o.start(this.ranges[k], (p) => {
      const done = before * steps + (to - from) * p.completedSteps;
      this.o.onProgress?.({ fraction: steps > 0 ? done / (total * steps) : 1, completedSteps: Math.floor(done / total), steps });
    });
  }

  advance(): boolean {
    if (this.current.advance()) return true;
    const part = this.current.finish();
    const [from, to] = this.ranges[this.k];
    // A batch stopped before its first chunk adds nothing (unless it is the only one).
    if (part.completedSteps > 0 || this.parts.length === 0) this.parts.push(keepLeadingTrials(part, keptInRange(this.o.scenario.record, from, to)));
    if (part.cancelled || this.k + 1 >= this.ranges.length) return false;
    if (this.o.signal?.aborted) {
      this.stoppedEarly = true;
      return false;
    }
    this.current = this.startBatch(++this.k);
    return true;
  }

  finish(): Recording {
    const parts = this.parts;
    const merged = mergeSequentialRecordings(parts);
    const first = this.ranges[0][0];
    const engine: Record<string, unknown> = { ...merged.engine, trialRange: [first, first + merged.trials] };
    if (this.ranges.length > 1) {
      engine.trialsPerBatch = this.ranges[0][1] - this.ranges[0][0];
      engine.batches = parts.length;
    }
    return { ...merged, cancelled: merged.cancelled || this.stoppedEarly, wallSeconds: (performance.now() - this.started) / 1000, engine };
  }
}

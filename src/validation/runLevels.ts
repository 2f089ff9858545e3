import type { GpuContext } from '../gpu/device';
import { runVariant, variant, type Variant, type VariantId } from '../engines';
import { requireEveryTrial, stepCount, type Progress, type Recording } from '../model/recording';
import { keptInRange } from '../model/recordingStats';
import type { Scenario } from '../model/scenario';

/** Trials per level and seconds per trial of an experiment with a stationary regime (V4, V5). */
export type RunSizes = {
  gpuTrials: number;
  cpuTrials: number;
  mesoTrials: number;
  duration: number;
};

/** What an experiment's levels run with. */
export interface LevelsContext {
  gpu: GpuContext;
  /** A stage ("depression: micro (WebGPU)") and its progress. */
  onProgress?: (stage: string, p: Progress) => void;
  signal?: AbortSignal;
}

/**
 * Runs an experiment's levels one after the other (the reference first), each the registry
 * variant `variants[level]` on the scenario `scenario(level)` (its own trials and seed),
 * refusing a cancelled run: a partial recording is not a validation result. The levels are the
 * report's names (metric.level, its columns); their labels and colours are the variants'.
 */
export async function runLevels<L extends string>(
  experiment: string,
  set: string,
  levels: readonly L[],
  variants: Readonly<Record<L, VariantId>>,
  scenario: (level: L) => Scenario,
  ctx: LevelsContext,
): Promise<{ recordings: Record<L, Recording>; wallSeconds: Record<string, number> }> {
  const recordings = {} as Record<L, Recording>;
  const wallSeconds: Record<string, number> = {};
  for (const level of levels) {
    const v = variant(variants[level]);
    const s = scenario(level);
    // Bootstraps, spectra and segmentations take each trial: refused before the run, not after it.
    requireEveryTrial({ trials: s.run.trials, keptTrials: keptInRange(s.record, 0, s.run.trials) }, `validation ${experiment} (${set}, ${v.label})`);
    const progress = (p: Progress) => ctx.onProgress?.(`${set}: ${v.label}`, p);
    // A zero report first, so that a reporter's clock starts with the run, not after its first chunk.
    progress({ fraction: 0, completedSteps: 0, steps: stepCount(s) });
    const r = await runVariant(v.id, s, { gpu: ctx.gpu, onProgress: progress, signal: ctx.signal });
    if (r.cancelled) throw new Error(`${experiment} ${set}: cancelled during ${v.label}`);
    recordings[level] = r;
    wallSeconds[level] = r.wallSeconds;
  }
  return { recordings, wallSeconds };
}

/** The variant behind each of an experiment's levels, for its labels, colours and line styles. */
export function levelVariants<L extends string>(variants: Readonly<Record<L, VariantId>>): (level: L) => Variant {
  return (level) => variant(variants[level]);
}

/** The report's columns: each compared level under its variant's short label. */
export function levelColumns<L extends string>(levels: readonly L[], variants: Readonly<Record<L, VariantId>>): { level: string; label: string }[] {
  return levels.map((level) => ({ level, label: variant(variants[level]).short }));
}

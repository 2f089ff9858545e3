import type { Recording } from '../model/recording';

/** Trials per level and seconds per trial of an experiment with a stationary regime (V4, V5). */
export type RunSizes = {
  gpuTrials: number;
  cpuTrials: number;
  mesoTrials: number;
  duration: number;
};

/**
 * Runs an experiment's levels one after the other (the reference first), refusing a cancelled
 * run: a partial recording is not a validation result.
 */
export async function runLevels<L extends string>(experiment: string, set: string, levels: readonly L[], run: (level: L) => Promise<Recording>, label: (level: L) => string): Promise<{ recordings: Record<L, Recording>; wallSeconds: Record<string, number> }> {
  const recordings = {} as Record<L, Recording>;
  const wallSeconds: Record<string, number> = {};
  for (const level of levels) {
    const r = await run(level);
    if (r.cancelled) throw new Error(`${experiment} ${set}: cancelled during ${label(level)}`);
    recordings[level] = r;
    wallSeconds[level] = r.wallSeconds;
  }
  return { recordings, wallSeconds };
}

/**
 * What the app can run: the micro engine on WebGPU, and the population equations with the
 * first- or second-order STP mean-field (meso, finite N) or their N → ∞ limit (macro).
 */
import type { RunOptions } from '../../model/recording';

export const LEVEL_CHOICES = ['micro-gpu', 'meso-mf1', 'meso-mf2', 'macro'] as const;
export type LevelChoice = (typeof LEVEL_CHOICES)[number];

export interface LevelInfo {
  label: string;
  /** For legends, where space is short. */
  short: string;
  /** The options of run() that give the same recording. */
  run: Pick<RunOptions, 'level' | 'stp'>;
  color: string;
}

export const LEVELS: Record<LevelChoice, LevelInfo> = {
  'micro-gpu': { label: 'micro (WebGPU)', short: 'micro', run: { level: 'micro-gpu' }, color: '#1f6feb' },
  'meso-mf1': { label: 'meso, MF1', short: 'MF1', run: { level: 'meso', stp: 'mf1' }, color: '#bf8700' },
  'meso-mf2': { label: 'meso, MF2', short: 'MF2', run: { level: 'meso', stp: 'mf2' }, color: '#cf222e' },
  macro: { label: 'macro (N → ∞)', short: 'macro', run: { level: 'macro', stp: 'mf2' }, color: '#2da44e' },
};

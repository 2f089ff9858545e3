/** Every micro-gpu kernel, for the layout checks (test/gpu/kernelLayouts.test.ts). */
import type { MicroKernel } from './kernel';
import { applyPulses } from './applyPulses';
import { kinetic } from './kinetic';
import { populationStep } from './populationStep';
import { projectionInput } from './projectionInput';
import { propagate } from './propagate';
import { propagateProcedural } from './propagateProcedural';
import { recordInputMean } from './recordInputMean';
import { recordStp } from './recordStp';
import { reduceTrials } from './reduceTrials';
import { spikeArgs } from './spikeArgs';
import { stepEnd } from './stepEnd';
import { synY } from './synY';

export const MICRO_KERNELS: readonly MicroKernel[] = [
  projectionInput,
  applyPulses,
  populationStep,
  spikeArgs,
  propagate,
  propagateProcedural,
  kinetic,
  synY,
  recordInputMean,
  recordStp,
  reduceTrials,
  stepEnd,
];

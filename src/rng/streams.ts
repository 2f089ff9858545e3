/**
 * How mesostp addresses its random numbers (docs/rng.md).
 *
 *   key     = (seed, stream)                      seed: the scenario's seed (uint32);
 *                                                 stream: which part of the model draws
 *                                                 (a population or projection index, ...)
 *   counter = (index, step, trial, purpose·2²⁴ + sub)
 *                                                 index: neuron or synapse; step: time step;
 *                                                 trial: independent repetition; purpose:
 *                                                 what the draw is for (8 bits); sub: which
 *                                                 block of 4 words when one draw site needs
 *                                                 more than 4 (24 bits)
 *
 * Each (key, counter) gives 4 independent 32-bit words. Two draws can only coincide if they
 * share every field, so adding a purpose, a stream or more trials never changes the numbers
 * that existing draws see: results stay reproducible as the model grows.
 */

export const Purpose = {
  /** Spike or no spike of a stochastic neuron in a step. */
  spike: 1,
  /** Stochastic vesicle release at a synapse. */
  release: 2,
  /** Targets of a presynaptic neuron under procedural connectivity. */
  connectivity: 3,
  /** Per-synapse parameter heterogeneity. */
  heterogeneity: 4,
  /** Gaussian noise of the mesoscopic synaptic input (MF2). */
  mesoNoise: 5,
  /** Binomial spike counts of the mesoscopic population equations. */
  mesoCount: 6,
  /** Initial conditions. */
  initial: 7,
  /** Which neurons of an event-scheme Poisson population spike in a step (src/rng/poissonEvents.ts). */
  poissonEvents: 8,
  /** Self-tests and examples. */
  test: 255,
} as const;
export type PurposeName = keyof typeof Purpose;

export const MAX_SUB = 1 << 24;

/** Packs purpose (0–255) and sub-block (0 – 2²⁴−1) into the counter's last word. */
export function purposeWord(purpose: number, sub = 0): number {
  if (!Number.isInteger(purpose) || purpose < 0 || purpose > 255) throw new RangeError(`purpose must be an integer in [0, 255], got ${purpose}`);
  if (!Number.isInteger(sub) || sub < 0 || sub >= MAX_SUB) throw new RangeError(`sub must be an integer in [0, 2^24), got ${sub}`);
  return ((purpose << 24) | sub) >>> 0;
}

/** Validates a seed and returns it as a uint32 key word. */
export function seedWord(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in [0, 4294967295], got ${seed}`);
  }
  return seed >>> 0;
}

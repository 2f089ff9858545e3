/**
 * Layouts that the host and the micro-gpu kernels share, as named constants: the WGSL gets them
 * from here (kernels/library.ts composes them into every kernel with `wgslConstants`), so no
 * kernel spells one as a bare number (test/gpu/kernelLayouts.test.ts checks).
 */

/** Invocations per workgroup of every micro-gpu kernel but stepEnd. */
export const WG = 64;

/**
 * The control buffer, u32 words: the step being simulated, the first step of the chunk (drive
 * values start there), spike records written this chunk, the chunk's length; from CTL_SPIKE_COUNTS the spikes of
 * each population in this step; from the batch's drive offset the drive of population p at
 * step n, as f32 bits, at (n − chunk start)·P + p.
 */
export const CONTROL = {
  CTL_STEP: 0,
  CTL_CHUNK_START: 1,
  CTL_RECORDED: 2,
  /** Steps in this chunk (the resident kernel runs them all in one dispatch). */
  CTL_CHUNK_STEPS: 3,
  CTL_SPIKE_COUNTS: 4,
} as const;

/**
 * A population's input sums: rows of T·N. I_cur, G = Σ g·B, GE = Σ g·B·E, the delta kicks Σ J·w
 * (then, with conductance pulses, the jump), I_n (for the population mean); with conductance
 * pulses W = Σ J·w, WE = Σ J·w·E, then one row per blocked (NMDA) pulse projection.
 */
export const ACC = {
  ACC_I_CUR: 0,
  ACC_G: 1,
  ACC_GE: 2,
  ACC_KICKS: 3,
  ACC_INPUT: 4,
  ACC_W: 5,
  ACC_WE: 6,
  ACC_BLOCKED: 7,
} as const;

/**
 * What a projection's delay ring holds, i.e. how projectionInput.wgsl reads slot n (the `INPUT`
 * override). Events (fixed point) either move V or are collected as pulses (DELTA) or kick
 * 1–3 postsynaptic filter stages (FILTER, the `STAGES` override); kinetic.wgsl writes each
 * step's conductance (KINETIC); synY.wgsl the filter's value, in fixed point without
 * postsynaptic stages (SYN_Y) or as float bits of the output stage with them (SYN_Y_STAGES).
 */
export const PROJECTION_INPUT = {
  INPUT_DELTA: 0,
  INPUT_FILTER: 1,
  INPUT_KINETIC: 2,
  INPUT_SYN_Y: 3,
  INPUT_SYN_Y_STAGES: 4,
} as const;
export type ProjectionInput = (typeof PROJECTION_INPUT)[keyof typeof PROJECTION_INPUT];

/** Spike records one chunk may write; each is [population, trial, neuron, step]. */
export const SPIKE_RECORD_CAPACITY = 1 << 20;
export const SPIKE_RECORD_WORDS = 4;

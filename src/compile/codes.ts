/**
 * The number codes of the compiled network. The CPU engine switches on them, the GPU engine
 * uploads them, and the WGSL kernels compare against the same values by name: the source of
 * every micro-gpu kernel starts with `const NEURON_POISSON: u32 = 0u;` … generated from
 * `MODEL_CODES` as it is composed (src/micro/gpu/kernels/library.ts, through wgslConstants in
 * src/gpu/wgsl.ts), and no WGSL file spells a code as a number (test/gpu/kernelLayouts.test.ts
 * checks both), so TS and WGSL cannot drift apart.
 */

export const NEURON_POISSON = 0;
export const NEURON_GLIF = 1;
export const NEURON_LIF = 2;

/**
 * Where a projection's filter state lives and how an event reaches it.
 * Delta: the delivered J·w jumps V (current) or is an instantaneous conductance pulse.
 * Exp/dual/cascade: linear filter state per postsynaptic neuron, kicked at arrival.
 * Kinetic: gates per presynaptic neuron, pulses started at arrival.
 * SYN_*: state per synapse (three-state y with heterogeneous τin; kinetic gates with
 * heterogeneous STP), advanced in presynaptic time; each step's output per postsynaptic neuron
 * goes into the delay ring and is read delay steps later (docs/step-semantics.md).
 */
export const FILTER_DELTA = 0;
export const FILTER_EXP = 1;
export const FILTER_DUAL = 2;
export const FILTER_KINETIC = 3;
/** Three-state y (τin) in front of a dual-exponential or alpha filter: the stages y → h → g. */
export const FILTER_CASCADE = 4;
export const FILTER_SYN_Y = 5;
export const FILTER_SYN_KINETIC = 6;

export const STP_NONE = 0;
export const STP_TM = 1;
export const STP_DEPRESSION = 2;
export const STP_THREE_STATE = 3;

/** Every code, by the name the WGSL constant carries. */
export const MODEL_CODES = {
  NEURON_POISSON,
  NEURON_GLIF,
  NEURON_LIF,
  FILTER_DELTA,
  FILTER_EXP,
  FILTER_DUAL,
  FILTER_KINETIC,
  FILTER_CASCADE,
  FILTER_SYN_Y,
  FILTER_SYN_KINETIC,
  STP_NONE,
  STP_TM,
  STP_DEPRESSION,
  STP_THREE_STATE,
} as const;

/**
 * A population of the scenario as every engine takes it: model code, drive, membrane and
 * threshold constants as step factors, adaptation kernels, and which kinds of input it receives.
 */
import type { Population, TimeFunction } from '../model/scenario';
import { timeFunctionMax } from '../model/timeFunction';
import { poissonStepProbability, usesPoissonEvents } from '../rng/poissonEvents';
import { NEURON_GLIF, NEURON_LIF, NEURON_POISSON } from './codes';

export interface CompiledPopulation {
  readonly name: string;
  /** Position in Object.keys(scenario.populations): the Philox stream. */
  readonly index: number;
  readonly model: number;
  readonly N: number;
  /** Poisson: the rate r(t) (Hz); neurons: the drive μ(t) (mV). */
  readonly drive: TimeFunction;
  readonly tauM: number;
  /** e^{−dt/τm}. */
  readonly decayM: number;
  readonly uReset: number;
  readonly uTh: number;
  readonly c: number;
  readonly deltaU: number;
  /** round(tRef/dt). */
  readonly refSteps: number;
  readonly restPotential: number;
  readonly V0: number;
  /** e^{−dt/τk} and J_k/τk of each adaptation kernel. */
  readonly adaptDecay: Float64Array;
  readonly adaptKick: Float64Array;
  readonly incoming: number[];
  readonly outgoing: number[];
  /** Some incoming projection is conductance-based (needs the per-neuron exact COBA update). */
  readonly conductanceInput: boolean;
  readonly deltaInput: boolean;
  /** Some incoming delta projection has conductance output: delta events are applied together after delivery. */
  readonly pulseInput: boolean;
  /** Incoming delta conductance projections with an NMDA block, and their E (mV) and [Mg²⁺] (mM). */
  readonly blockedPulses: number[];
  readonly blockedPulseE: Float64Array;
  readonly blockedPulseMg: Float64Array;
  /**
   * Poisson: spikes drawn by the event scheme, O(1 + spikes) per step (src/rng/poissonEvents.ts),
   * rather than one draw per neuron. Both micro engines follow this flag.
   */
  readonly poissonEvents: boolean;
}

export function compilePopulation(name: string, index: number, p: Population, dt: number): CompiledPopulation {
  const base = {
    name,
    index,
    N: p.N,
    incoming: [] as number[],
    outgoing: [] as number[],
    conductanceInput: false,
    deltaInput: false,
    pulseInput: false,
    blockedPulses: [] as number[],
    blockedPulseE: new Float64Array(0),
    blockedPulseMg: new Float64Array(0),
    poissonEvents: false,
  };
  if (p.model === 'poisson') {
    return {
      ...base,
      model: NEURON_POISSON,
      drive: p.rate,
      poissonEvents: usesPoissonEvents(p.N, poissonStepProbability(timeFunctionMax(p.rate), dt)),
      tauM: 1,
      decayM: 0,
      uReset: 0,
      uTh: 0,
      c: 0,
      deltaU: 1,
      refSteps: 0,
      restPotential: 0,
      V0: 0,
      adaptDecay: new Float64Array(0),
      adaptKick: new Float64Array(0),
    };
  }
  const adaptation = p.model === 'glif' ? p.adaptation : [];
  return {
    ...base,
    model: p.model === 'glif' ? NEURON_GLIF : NEURON_LIF,
    drive: p.mu,
    tauM: p.tauM,
    decayM: Math.exp(-dt / p.tauM),
    uReset: p.uReset,
    uTh: p.uTh,
    c: p.model === 'glif' ? p.c : 0,
    deltaU: p.model === 'glif' ? p.deltaU : 1,
    refSteps: Math.round(p.tRef / dt),
    restPotential: p.restPotential,
    V0: p.V0 ?? p.uReset,
    adaptDecay: Float64Array.from(adaptation, (k) => Math.exp(-dt / k.tau)),
    adaptKick: Float64Array.from(adaptation, (k) => k.J / k.tau),
  };
}

/** How each Poisson population draws its spikes, as the engines report it: 'events' or 'per-neuron'. */
export function poissonSchemes(populations: readonly CompiledPopulation[]): Record<string, 'events' | 'per-neuron'> {
  const out: Record<string, 'events' | 'per-neuron'> = {};
  for (const p of populations) if (p.model === NEURON_POISSON) out[p.name] = p.poissonEvents ? 'events' : 'per-neuron';
  return out;
}

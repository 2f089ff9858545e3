/**
 * The scenario: one JSON description of a network and a run, read by every engine, the CLI,
 * the app, the benchmarks and the tests. The zod schemas below are the single source of the
 * TypeScript types (z.infer) and of the structural checks; ./validate.ts adds the checks
 * that relate fields to each other (dt against time constants, in-degree against the
 * source size, delays against dt, ...). docs/models.md documents every field.
 *
 * Units: seconds, Hz, mV (membrane potentials and input, "R·I"), mM (concentrations).
 * Membrane potentials are relative to rest (V = 0 at rest) except where a field says
 * "absolute" (the NMDA block needs the absolute potential).
 */
import { z } from 'zod';

const finite = () => z.number().finite();
const positive = () => finite().positive();
const nonNegative = () => finite().nonnegative();
/** A time constant or duration in seconds. */
const seconds = () => positive();
const count = () =>
  z
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1);
const probability = () => finite().gt(0).lte(1);

// ---- functions of time: rates (Hz) of Poisson sources and drives μ(t) (mV) of neurons ----

export const TimeFunctionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('constant'), value: finite() }),
  z.strictObject({
    type: z.literal('steps'),
    /** Switch times in s, strictly increasing; values has one more entry than times. */
    times: z.array(nonNegative()).min(1),
    values: z.array(finite()).min(2),
  }),
  z.strictObject({
    type: z.literal('sinusoid'),
    offset: finite(),
    amplitude: finite(),
    /** Hz */
    frequency: nonNegative(),
    /** radians */
    phase: finite().default(0),
  }),
  z.strictObject({
    type: z.literal('table'),
    /** Sample spacing in s: value k holds on [k·dt, (k+1)·dt), the last one after the end. */
    dt: seconds(),
    values: z.array(finite()).min(1),
  }),
]);
export type TimeFunction = z.infer<typeof TimeFunctionSchema>;

// ---- populations ----

export const AdaptationKernelSchema = z.strictObject({
  /** Threshold kick integral J_θ in mV·s: each own spike adds (J/τ) e^{−(t−t_k)/τ} to θ. */
  J: finite(),
  tau: seconds(),
});

const neuronCommon = {
  N: count(),
  /** Membrane time constant τm (s). */
  tauM: seconds(),
  /** External drive μ(t) (mV). */
  mu: TimeFunctionSchema,
  /** Reset potential u_r (mV). */
  uReset: finite(),
  /** Absolute refractory period (s); 0 allowed. */
  tRef: nonNegative(),
  /** Absolute resting potential (mV), used only by the NMDA Mg²⁺ block. */
  restPotential: finite().default(-65),
  /** Initial membrane potential (mV); default: u_r. */
  V0: finite().optional(),
};

export const PoissonPopulationSchema = z.strictObject({
  model: z.literal('poisson'),
  N: count(),
  /** Rate r(t) in Hz (must stay ≥ 0). */
  rate: TimeFunctionSchema,
});

export const GlifPopulationSchema = z.strictObject({
  model: z.literal('glif'),
  ...neuronCommon,
  /** Hazard at threshold c (Hz): λ = c·exp((V − θ)/Δu). */
  c: positive(),
  /** Softness of the threshold Δu (mV). */
  deltaU: positive(),
  /** Threshold u_th (mV) without adaptation. */
  uTh: finite(),
  adaptation: z.array(AdaptationKernelSchema).default([]),
});

export const LifPopulationSchema = z.strictObject({
  model: z.literal('lif'),
  ...neuronCommon,
  /** Hard threshold (mV). */
  uTh: finite(),
});

export const PopulationSchema = z.discriminatedUnion('model', [PoissonPopulationSchema, GlifPopulationSchema, LifPopulationSchema]);
export type Population = z.infer<typeof PopulationSchema>;
export type PoissonPopulation = z.infer<typeof PoissonPopulationSchema>;
export type GlifPopulation = z.infer<typeof GlifPopulationSchema>;
export type LifPopulation = z.infer<typeof LifPopulationSchema>;

// ---- projections ----

export const ConnectivitySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('all-to-all'), autapses: z.boolean().default(true) }),
  /** Each target draws exactly C distinct sources. perTrial: every trial draws its own network. */
  z.strictObject({ type: z.literal('fixed-indegree'), C: count(), autapses: z.boolean().default(false), perTrial: z.boolean().default(false) }),
  /** Each (source, target) pair is connected with probability p. */
  z.strictObject({ type: z.literal('fixed-probability'), p: probability(), autapses: z.boolean().default(false), perTrial: z.boolean().default(false) }),
]);
export type Connectivity = z.infer<typeof ConnectivitySchema>;

export const FilterSchema = z.discriminatedUnion('type', [
  /** The input jumps by the weight at delivery. */
  z.strictObject({ type: z.literal('delta') }),
  z.strictObject({ type: z.literal('exponential'), tau: seconds() }),
  z.strictObject({ type: z.literal('dual-exponential'), tauRise: seconds(), tauDecay: seconds() }),
  z.strictObject({ type: z.literal('alpha'), tau: seconds() }),
  /** Two-state receptor gate with a transmitter pulse (docs/equations.md §2); defaults per receptor. */
  z.strictObject({
    type: z.literal('kinetic'),
    receptor: z.enum(['AMPA', 'GABA_A', 'NMDA']),
    /** Binding rate α (1/(mM·s)). */
    alpha: positive().optional(),
    /** Unbinding rate β (1/s). */
    beta: positive().optional(),
    /** Transmitter concentration during a pulse (mM). */
    Tmax: positive().optional(),
    /** Pulse duration (s). */
    pulseDuration: seconds().optional(),
  }),
]);
export type Filter = z.infer<typeof FilterSchema>;

export const OutputSchema = z.discriminatedUnion('type', [
  /** Current-based: the filtered input adds to the membrane equation in mV. */
  z.strictObject({ type: z.literal('current') }),
  /** Conductance-based: −g(t)(V − E) with g relative to the leak (dimensionless). */
  z.strictObject({
    type: z.literal('conductance'),
    /** Reversal potential relative to rest (mV). */
    E: finite(),
    /** NMDA-type magnesium block B(V) with [Mg²⁺] in mM. */
    mgBlock: z.strictObject({ Mg: positive() }).optional(),
  }),
]);
export type Output = z.infer<typeof OutputSchema>;

export const StpSchema = z.discriminatedUnion('model', [
  z.strictObject({ model: z.literal('none') }),
  z.strictObject({
    model: z.literal('tsodyks-markram'),
    /** Utilisation increment U ∈ (0, 1]. */
    U: probability(),
    /** Resting utilisation U0 ∈ [0, 1]: 0 (Tsodyks, Pawelzik & Markram 1998) or U (Markram et al. 1998). */
    U0: finite().min(0).max(1),
    /** Recovery time constant τ_D (s); 0 = no depression. */
    tauD: nonNegative(),
    /** Facilitation time constant τ_F (s); 0 = no facilitation. */
    tauF: nonNegative(),
  }),
  z.strictObject({ model: z.literal('depression'), U: probability(), tauD: seconds() }),
  z.strictObject({ model: z.literal('three-state'), U: probability(), tauIn: seconds(), tauRec: seconds() }),
]);
export type Stp = z.infer<typeof StpSchema>;

export const DistributionSchema = z.discriminatedUnion('distribution', [
  z.strictObject({ distribution: z.literal('normal'), sd: nonNegative() }),
  /** Log-normal with the parameter's value as its mean and this coefficient of variation. */
  z.strictObject({ distribution: z.literal('lognormal'), cv: nonNegative() }),
  /** Uniform on [value − halfWidth, value + halfWidth]. */
  z.strictObject({ distribution: z.literal('uniform'), halfWidth: nonNegative() }),
]);
export type Distribution = z.infer<typeof DistributionSchema>;

/** Per-synapse draws around the projection's value, clipped to the parameter's valid range. */
export const HeterogeneitySchema = z
  .strictObject({
    weight: DistributionSchema,
    U: DistributionSchema,
    U0: DistributionSchema,
    tauD: DistributionSchema,
    tauF: DistributionSchema,
    tauIn: DistributionSchema,
    tauRec: DistributionSchema,
  })
  .partial();
export type Heterogeneity = z.infer<typeof HeterogeneitySchema>;

export const ProjectionSchema = z.strictObject({
  /** Unique name; default "<from>-><to>". */
  name: z.string().min(1).optional(),
  from: z.string().min(1),
  to: z.string().min(1),
  connectivity: ConnectivitySchema,
  /** Weight J: mV for current-based output, dimensionless conductance for conductance-based. */
  weight: finite(),
  /** Transmission delay (s), at least one time step. */
  delay: seconds(),
  filter: FilterSchema,
  /**
   * How the filter kernel is scaled: 'integral' (∫κ = 1; the input is τm·J·Σ w κ, so J is the
   * jump a delta synapse would give, the convention of Schwalger et al. 2017) or 'peak'
   * (κ peaks at 1; the input peaks at J). Default: integral for current output, peak for
   * conductance output. A delta filter (without three-state STP) is an instantaneous pulse and
   * always integral-normalised: 'peak' has no zero-width limit (docs/models.md §6).
   */
  normalize: z.enum(['integral', 'peak']).optional(),
  output: OutputSchema.default({ type: 'current' }),
  stp: StpSchema.default({ model: 'none' }),
  heterogeneity: HeterogeneitySchema.optional(),
  /** Where the GPU engine keeps the synapses: explicit arrays, or regenerated from the RNG. */
  storage: z.enum(['explicit', 'procedural']).default('explicit'),
});
export type Projection = z.infer<typeof ProjectionSchema>;

// ---- run and recording ----

export const RunSchema = z.strictObject({
  /** Time step (s). */
  dt: seconds(),
  /** Simulated time (s). */
  duration: seconds(),
  /** Independent trials. */
  trials: count().default(1),
  /** Seed of every random draw, an integer in [0, 2³²). */
  seed: z.number().int().min(0).max(0xffffffff).default(1),
});

export const RecordSchema = z.strictObject({
  /** Population activity A_N(t) of every population, per trial, in bins of binSize (s; default dt). */
  activity: z.boolean().default(true),
  binSize: seconds().optional(),
  /** Total synaptic input (mV) into `neurons` sampled neurons of each named population, and its population mean. */
  inputs: z.array(z.strictObject({ population: z.string().min(1), neurons: count().default(1) })).default([]),
  /** Mean STP variables (u, x; x, y, z for three-state) over the synapses of each STP projection. */
  stp: z.boolean().default(false),
  /** Spike times of `neurons` sampled neurons of each named population. */
  spikes: z.array(z.strictObject({ population: z.string().min(1), neurons: count() })).default([]),
});

export const ScenarioSchema = z.strictObject({
  /** Informal: a URL or path to a JSON Schema, for editors. */
  $schema: z.string().optional(),
  name: z.string().min(1),
  description: z.string().default(''),
  /** Where the parameters come from (citations). */
  sources: z.array(z.string()).default([]),
  populations: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a population name is a letter or _ followed by letters, digits or _'), PopulationSchema),
  projections: z.array(ProjectionSchema).default([]),
  run: RunSchema,
  record: RecordSchema.default({ activity: true, inputs: [], stp: false, spikes: [] }),
});

/** A scenario as written in JSON (defaults may be missing). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
/** A validated scenario with every default filled in. */
export type Scenario = z.infer<typeof ScenarioSchema>;

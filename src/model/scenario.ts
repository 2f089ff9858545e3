/**
 * The scenario: one JSON description of a network and a run, read by every engine, the CLI,
 * the app, the benchmarks and the tests. The zod schemas below are the single source of the
 * TypeScript types (z.infer), of the structural checks and of the JSON Schema of the file
 * format (./jsonSchema.ts, scenarios/scenario.schema.json); ./validate.ts adds the checks
 * that relate fields to each other (dt against time constants, in-degree against the
 * source size, delays against dt, ...). docs/scenario.md documents every field.
 *
 * The `.describe()` texts are what an editor shows for a field (through the JSON Schema); they
 * change no validation. Only checks that JSON Schema can express belong here (types, ranges,
 * lengths, patterns, enums): a `.refine()`, a transform or a pipe would be lost in the JSON
 * Schema, and ./jsonSchema.ts refuses to generate it. A rule that needs several fields goes to
 * ./validate.ts.
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

export const TimeFunctionSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('constant'), value: finite().describe('The constant value.') }).describe('A constant.'),
    z
      .strictObject({
        type: z.literal('steps'),
        /** Switch times in s, strictly increasing; values has one more entry than times. */
        times: z.array(nonNegative()).min(1).describe('Switch times (s), strictly increasing.'),
        values: z.array(finite()).min(2).describe('One more value than times: values[0] before times[0], values[k] from times[k − 1] on.'),
      })
      .describe('Piecewise constant: switches to the next value at each time.'),
    z
      .strictObject({
        type: z.literal('sinusoid'),
        offset: finite().describe('Mean value.'),
        amplitude: finite().describe('Amplitude.'),
        /** Hz */
        frequency: nonNegative().describe('Frequency (Hz).'),
        /** radians */
        phase: finite().default(0).describe('Phase (rad).'),
      })
      .describe('offset + amplitude·sin(2π·frequency·t + phase).'),
    z
      .strictObject({
        type: z.literal('table'),
        /** Sample spacing in s: value k holds on [k·dt, (k+1)·dt), the last one after the end. */
        dt: seconds().describe('Sample spacing (s): value k holds on [k·dt, (k+1)·dt), the last one after the end.'),
        values: z.array(finite()).min(1).describe('The samples.'),
      })
      .describe('Sampled values, each held for dt.'),
  ])
  .describe('A function of time: constant, steps, sinusoid or table.');
export type TimeFunction = z.infer<typeof TimeFunctionSchema>;

// ---- populations ----

export const AdaptationKernelSchema = z.strictObject({
  /** Threshold kick integral J_θ in mV·s: each own spike adds (J/τ) e^{−(t−t_k)/τ} to θ. */
  J: finite().describe('Threshold kick integral J_θ (mV·s): each own spike adds (J/τ)·e^{−(t−t_k)/τ} to the threshold.'),
  tau: seconds().describe('Decay time constant τ of the kick (s).'),
});

const neuronCommon = {
  N: count().describe('Number of neurons.'),
  /** Membrane time constant τm (s). */
  tauM: seconds().describe('Membrane time constant τm (s).'),
  /** External drive μ(t) (mV). */
  mu: TimeFunctionSchema.describe('External drive μ(t) (mV, relative to rest).'),
  /** Reset potential u_r (mV). */
  uReset: finite().describe('Reset potential u_r (mV, relative to rest).'),
  /** Absolute refractory period (s); 0 allowed. */
  tRef: nonNegative().describe('Absolute refractory period (s): 0 or a whole number of time steps.'),
  /** Absolute resting potential (mV), used only by the NMDA Mg²⁺ block. */
  restPotential: finite().default(-65).describe('Absolute resting potential (mV), used only by the NMDA Mg²⁺ block.'),
  /** Initial membrane potential (mV); default: u_r. */
  V0: finite().optional().describe('Initial membrane potential (mV, relative to rest); default: uReset.'),
};

export const PoissonPopulationSchema = z
  .strictObject({
    model: z.literal('poisson'),
    N: count().describe('Number of neurons.'),
    /** Rate r(t) in Hz (must stay ≥ 0). */
    rate: TimeFunctionSchema.describe('Firing rate r(t) (Hz); must stay ≥ 0.'),
  })
  .describe('Poisson source: independent Poisson spike trains; takes no input.');

export const GlifPopulationSchema = z
  .strictObject({
    model: z.literal('glif'),
    ...neuronCommon,
    /** Hazard at threshold c (Hz): λ = c·exp((V − θ)/Δu). */
    c: positive().describe('Hazard at threshold c (Hz): λ = c·exp((V − θ)/Δu).'),
    /** Softness of the threshold Δu (mV). */
    deltaU: positive().describe('Softness of the threshold Δu (mV).'),
    /** Threshold u_th (mV) without adaptation. */
    uTh: finite().describe('Threshold u_th (mV, relative to rest) without adaptation.'),
    adaptation: z.array(AdaptationKernelSchema).default([]).describe('Threshold adaptation kernels (spike-triggered threshold kicks).'),
  })
  .describe('Leaky integrate-and-fire neurons with escape noise (a soft threshold).');

export const LifPopulationSchema = z
  .strictObject({
    model: z.literal('lif'),
    ...neuronCommon,
    /** Hard threshold (mV). */
    uTh: finite().describe('Hard threshold (mV, relative to rest).'),
  })
  .describe('Deterministic leaky integrate-and-fire neurons (a hard threshold).');

export const PopulationSchema = z
  .discriminatedUnion('model', [PoissonPopulationSchema, GlifPopulationSchema, LifPopulationSchema])
  .describe('A population: a Poisson source, escape-noise LIF (glif) or hard-threshold LIF (lif) neurons.');
export type Population = z.infer<typeof PopulationSchema>;
export type PoissonPopulation = z.infer<typeof PoissonPopulationSchema>;
export type GlifPopulation = z.infer<typeof GlifPopulationSchema>;
export type LifPopulation = z.infer<typeof LifPopulationSchema>;

// ---- projections ----

const perTrial = () =>
  z
    .boolean()
    .default(false)
    .describe('Draw a new network for every trial (quenched disorder averaged over trials) instead of one shared by all; excludes heterogeneity.');

export const ConnectivitySchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({ type: z.literal('all-to-all'), autapses: z.boolean().default(true).describe('Connect a neuron to itself (recurrent projections).') })
      .describe('Every source connects to every target.'),
    z
      .strictObject({
        type: z.literal('fixed-indegree'),
        C: count().describe('In-degree: sources per target, at most the number available.'),
        autapses: z.boolean().default(false).describe('Connect a neuron to itself (recurrent projections).'),
        perTrial: perTrial(),
      })
      .describe('Each target draws exactly C distinct sources.'),
    z
      .strictObject({
        type: z.literal('fixed-probability'),
        p: probability().describe('Connection probability, in (0, 1].'),
        autapses: z.boolean().default(false).describe('Connect a neuron to itself (recurrent projections).'),
        perTrial: perTrial(),
      })
      .describe('Each (source, target) pair is connected with probability p.'),
  ])
  .describe('Which sources connect to which targets.');
export type Connectivity = z.infer<typeof ConnectivitySchema>;

export const FilterSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('delta') }).describe('The input jumps by the weight at delivery.'),
    z.strictObject({ type: z.literal('exponential'), tau: seconds().describe('Decay time constant (s).') }).describe('Exponential decay.'),
    z
      .strictObject({
        type: z.literal('dual-exponential'),
        tauRise: seconds().describe('Rise time constant (s).'),
        tauDecay: seconds().describe('Decay time constant (s).'),
      })
      .describe('Difference of two exponentials.'),
    z.strictObject({ type: z.literal('alpha'), tau: seconds().describe('Time constant (s).') }).describe('Alpha function t·e^{−t/τ}.'),
    z
      .strictObject({
        type: z.literal('kinetic'),
        receptor: z
          .enum(['AMPA', 'GABA_A', 'NMDA'])
          .describe('Receptor type; sets the defaults of the other fields. Needs conductance output (NMDA also mgBlock).'),
        /** Binding rate α (1/(mM·s)). */
        alpha: positive().optional().describe('Binding rate α (1/(mM·s)); default per receptor.'),
        /** Unbinding rate β (1/s). */
        beta: positive().optional().describe('Unbinding rate β (1/s); default per receptor.'),
        /** Transmitter concentration during a pulse (mM). */
        Tmax: positive().optional().describe('Transmitter concentration during a pulse (mM); default per receptor.'),
        /** Pulse duration (s). */
        pulseDuration: seconds().optional().describe('Transmitter pulse duration (s); default per receptor.'),
      })
      .describe('Two-state receptor gate driven by transmitter pulses (docs/equations.md §2).'),
  ])
  .describe('Synaptic filter: the time course of the postsynaptic input after a spike.');
export type Filter = z.infer<typeof FilterSchema>;

export const OutputSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('current') }).describe('Current-based: the filtered input adds to the membrane equation in mV.'),
    z
      .strictObject({
        type: z.literal('conductance'),
        /** Reversal potential relative to rest (mV). */
        E: finite().describe('Reversal potential (mV, relative to rest).'),
        /** NMDA-type magnesium block B(V) with [Mg²⁺] in mM. */
        mgBlock: z
          .strictObject({ Mg: positive().describe('Extracellular [Mg²⁺] (mM).') })
          .optional()
          .describe('NMDA-type magnesium block B(V).'),
      })
      .describe('Conductance-based: −g(t)(V − E), with g relative to the leak (dimensionless).'),
  ])
  .describe('How the filtered input acts on the membrane.');
export type Output = z.infer<typeof OutputSchema>;

const utilisation = () => probability().describe('Utilisation increment U, in (0, 1].');

export const StpSchema = z
  .discriminatedUnion('model', [
    z.strictObject({ model: z.literal('none') }).describe('Static synapses.'),
    z
      .strictObject({
        model: z.literal('tsodyks-markram'),
        /** Utilisation increment U ∈ (0, 1]. */
        U: utilisation(),
        /** Resting utilisation U0 ∈ [0, 1]: 0 (Tsodyks, Pawelzik & Markram 1998) or U (Markram et al. 1998). */
        U0: finite().min(0).max(1).describe('Resting utilisation U0, in [0, 1]: 0 (Tsodyks, Pawelzik & Markram 1998) or U (Markram et al. 1998).'),
        /** Recovery time constant τ_D (s); 0 = no depression. */
        tauD: nonNegative().describe('Recovery time constant τD (s); 0 = no depression.'),
        /** Facilitation time constant τ_F (s); 0 = no facilitation. */
        tauF: nonNegative().describe('Facilitation time constant τF (s); 0 = no facilitation.'),
      })
      .describe('Tsodyks–Markram u–x model: depression and facilitation.'),
    z
      .strictObject({ model: z.literal('depression'), U: utilisation(), tauD: seconds().describe('Recovery time constant τD (s).') })
      .describe('Depression only.'),
    z
      .strictObject({
        model: z.literal('three-state'),
        U: utilisation(),
        tauIn: seconds().describe('Inactivation time constant τin (s).'),
        tauRec: seconds().describe('Recovery time constant τrec (s).'),
      })
      .describe('Three-state (recovered, active, inactive) depression; takes a linear filter, not a kinetic receptor.'),
  ])
  .describe('Short-term synaptic plasticity.');
export type Stp = z.infer<typeof StpSchema>;

export const DistributionSchema = z
  .discriminatedUnion('distribution', [
    z.strictObject({ distribution: z.literal('normal'), sd: nonNegative().describe('Standard deviation.') }).describe('Normal around the value.'),
    z
      .strictObject({ distribution: z.literal('lognormal'), cv: nonNegative().describe('Coefficient of variation.') })
      .describe("Log-normal with the parameter's value as its mean."),
    z
      .strictObject({ distribution: z.literal('uniform'), halfWidth: nonNegative().describe('Half-width of the interval.') })
      .describe('Uniform on [value − halfWidth, value + halfWidth].'),
  ])
  .describe("Per-synapse draws around the projection's value, clipped to the parameter's valid range.");
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
  .partial()
  .describe('Per-synapse draws of the weight and of the parameters the STP model has.');
export type Heterogeneity = z.infer<typeof HeterogeneitySchema>;

export const ProjectionSchema = z.strictObject({
  /** Unique name; default "<from>-><to>". */
  name: z.string().min(1).optional().describe('Unique name; default "<from>-><to>".'),
  from: z.string().min(1).describe('Source population.'),
  to: z.string().min(1).describe('Target population (not a Poisson source).'),
  connectivity: ConnectivitySchema,
  /** Weight J: mV for current-based output, dimensionless conductance for conductance-based. */
  weight: finite().describe('Weight J: mV for current output; dimensionless conductance relative to the leak (≥ 0) for conductance output.'),
  /** Transmission delay (s), at least one time step. */
  delay: seconds().describe('Transmission delay (s): a whole number of time steps, at least one.'),
  filter: FilterSchema,
  /**
   * How the filter kernel is scaled: 'integral' (∫κ = 1; the input is τm·J·Σ w κ, so J is the
   * jump a delta synapse would give, the convention of Schwalger et al. 2017) or 'peak'
   * (κ peaks at 1; the input peaks at J). Default: integral for current output, peak for
   * conductance output. A delta filter (without three-state STP) is an instantaneous pulse and
   * always integral-normalised: 'peak' has no zero-width limit (docs/models.md §6).
   */
  normalize: z
    .enum(['integral', 'peak'])
    .optional()
    .describe(
      "How the filter kernel is scaled: 'integral' (∫κ = 1; the input is τm·J·Σ w κ, so J is the jump a delta synapse would give, the convention of Schwalger et al. 2017) or 'peak' (κ peaks at 1; the input peaks at J). Default: integral for current output, peak for conductance output. A delta filter (without three-state STP) is an instantaneous pulse and always integral-normalised (docs/models.md §6).",
    ),
  output: OutputSchema.default({ type: 'current' }),
  stp: StpSchema.default({ model: 'none' }),
  heterogeneity: HeterogeneitySchema.optional(),
  /** Where the GPU engine keeps the synapses: explicit arrays, or regenerated from the RNG. */
  storage: z
    .enum(['explicit', 'procedural'])
    .default('explicit')
    .describe('Where the GPU engine keeps the synapses: explicit arrays, or regenerated from the RNG.'),
});
export type Projection = z.infer<typeof ProjectionSchema>;

// ---- run and recording ----

export const RunSchema = z
  .strictObject({
    /** Time step (s). */
    dt: seconds().describe('Time step (s): at most ¼ of every membrane and filter time constant (¹⁄₁₀ recommended).'),
    /** Simulated time (s). */
    duration: seconds().describe('Simulated time (s): a whole number of time steps.'),
    /** Independent trials. */
    trials: count().default(1).describe('Independent trials.'),
    /** Seed of every random draw, an integer in [0, 2³²). */
    seed: z.number().int().min(0).max(0xffffffff).default(1).describe('Seed of every random draw, an integer in [0, 2³²).'),
    /**
     * How the membrane sees a filtered input within a step: 'held', its value at the step's
     * start (the default); 'exact', the membrane and the linear filters integrated together
     * exactly over the step (current-based inputs; docs/step-semantics.md).
     */
    integration: z
      .enum(['held', 'exact'])
      .default('held')
      .describe(
        "How the membrane sees a filtered input within a step: 'held' (its value at the step's start, the default) or 'exact' (membrane and linear filters integrated together exactly; current-based inputs).",
      ),
  })
  .describe('The run: time step, duration, trials, seed, integration.');

export const RecordSchema = z
  .strictObject({
    /** Population activity A_N(t) of every population, per trial, in bins of binSize (s; default dt). */
    activity: z.boolean().default(true).describe('Population activity A_N(t) (Hz) of every population, per trial and bin.'),
    binSize: seconds().optional().describe('Bin of the activity (s): a whole number of time steps; default dt.'),
    /** Total synaptic input (mV) into `neurons` sampled neurons of each named population, and its population mean. */
    inputs: z
      .array(
        z.strictObject({
          population: z.string().min(1).describe('A glif or lif population.'),
          neurons: count().default(1).describe('How many neurons (the first ones) to sample.'),
        }),
      )
      .default([])
      .describe('Total synaptic input (mV) into the first neurons of each named population, and its population mean.'),
    /** Mean STP variables (u, x; x, y, z for three-state) over the synapses of each STP projection. */
    stp: z.boolean().default(false).describe('Mean STP variables (u, x; x, y, z for three-state) over the synapses of each STP projection.'),
    /** Spike times of `neurons` sampled neurons of each named population. */
    spikes: z
      .array(
        z.strictObject({
          population: z.string().min(1).describe('A population.'),
          neurons: count().describe('How many neurons (the first ones) to record.'),
        }),
      )
      .default([])
      .describe('Spike times of the first neurons of each named population.'),
    /**
     * 'all' keeps every trial's arrays (activity, inputs, STP means: [trials × … × bins]); 'stats'
     * keeps, per bin, the trial mean and the sum of squared deviations of each of them, and the
     * arrays (and spikes) of the first keepTrials trials only, so that the memory a run needs does not
     * grow with the trials (docs/scenario.md, "Run and record").
     */
    trials: z
      .enum(['all', 'stats'])
      .default('all')
      .describe(
        "'all': keep every trial's arrays; 'stats': keep per bin the trial mean and sum of squared deviations of each recorded quantity, and the arrays and spikes of the first keepTrials trials only (memory independent of the number of trials).",
      ),
    /** With trials 'stats': how many leading trials still keep their arrays and spikes (for spectra, rasters, example traces). */
    keepTrials: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe("With trials 'stats': how many leading trials keep their arrays and spikes (for spectra, rasters, example traces)."),
  })
  .describe('What to record.');

export const ScenarioSchema = z.strictObject({
  /** Informal: a URL or path to a JSON Schema, for editors. */
  $schema: z.string().optional().describe('The JSON Schema of this file, for editors (e.g. "./scenario.schema.json"); mesostp ignores it.'),
  name: z.string().min(1).describe('Name of the scenario.'),
  description: z.string().default('').describe('What the scenario shows.'),
  /** Where the parameters come from (citations). */
  sources: z.array(z.string()).default([]).describe('Where the parameters come from (citations).'),
  populations: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a population name is a letter or _ followed by letters, digits or _'), PopulationSchema)
    .describe('The populations by name (a letter or _, then letters, digits or _).'),
  projections: z.array(ProjectionSchema).default([]).describe('Synaptic projections between populations.'),
  run: RunSchema,
  record: RecordSchema.default({ activity: true, inputs: [], stp: false, spikes: [], trials: 'all', keepTrials: 0 }),
});

/** A scenario as written in JSON (defaults may be missing). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
/** A validated scenario with every default filled in. */
export type Scenario = z.infer<typeof ScenarioSchema>;

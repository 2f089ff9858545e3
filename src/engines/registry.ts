/**
 * The engine registry: every engine and every named variant (engine + options) that the CLI,
 * the app, the validation experiments and the benchmarks offer, with their labels and colours.
 * Adding an engine (say a future meso-gpu) is one file like ./meso.ts and one entry in
 * ENGINE_LIST, plus its id in model's Level (the assertion below fails until the two agree);
 * a variant is one entry in VARIANT_LIST.
 */
import type { Recording } from '../model/recording';
import { checkRecordingMemory, type RecordingMemory } from '../model/recordingMemory';
import type { Scenario } from '../model/scenario';
import { hostMemoryLimit } from './hostMemory';
import { microCpu } from './microCpu';
import { microGpu } from './microGpu';
import { macro, meso } from './meso';
import { mesoGpu } from './mesoGpu';
import type { Assert, EngineContext, EngineDef, Equal, Level, OptionSpec, OptionValues, VariantDef } from './types';

const ENGINE_LIST = [microCpu, microGpu, meso, macro, mesoGpu] as const;
export type EngineId = (typeof ENGINE_LIST)[number]['id'];
/** The engine ids and Recording.level are the same set. */
export type EngineIdIsLevel = Assert<Equal<EngineId, Level>>;
export type Engine = EngineDef<EngineId>;
/** Every engine, in the order the CLI's help and the reports list them. */
export const ENGINES: readonly Engine[] = ENGINE_LIST;
/** The engine ids: run()'s levels. */
export const ENGINE_IDS: readonly EngineId[] = ENGINES.map((e) => e.id);

/**
 * Colours: the Okabe–Ito palette (Okabe & Ito 2008), safe for the common colour-vision
 * deficiencies; an engine's plain variant has the engine's colour.
 */
const VARIANT_LIST = [
  { id: 'micro-gpu', engine: 'micro-gpu', options: {}, label: 'micro (WebGPU)', short: 'micro', color: microGpu.color, app: true, bench: true },
  { id: 'micro-cpu', engine: 'micro-cpu', options: { threads: 1 }, label: 'micro (CPU)', short: 'micro-cpu', color: microCpu.color, bench: true },
  {
    id: 'micro-cpu-all',
    engine: 'micro-cpu',
    options: { threads: 'auto' },
    label: 'micro (CPU, all cores)',
    short: 'micro-cpu (all cores)',
    color: '#CC79A7',
    dashed: true,
    bench: true,
  },
  { id: 'meso-mf1', engine: 'meso', options: { stp: 'mf1' }, label: 'meso, MF1', short: 'MF1', color: '#56B4E9', dashed: true, app: true },
  { id: 'meso-mf2', engine: 'meso', options: { stp: 'mf2' }, label: 'meso, MF2', short: 'MF2', color: meso.color, app: true, bench: true },
  { id: 'meso-age', engine: 'meso', options: { stp: 'age' }, label: 'meso, age-resolved STP', short: 'meso (age)', color: '#009E73', app: true, bench: true },
  {
    id: 'meso-mf2-all',
    engine: 'meso',
    options: { stp: 'mf2', threads: 'auto' },
    label: 'meso, MF2 (CPU, all cores)',
    short: 'MF2 (all cores)',
    // Okabe–Ito's eight are taken: wine, from Tol's muted palette (Tol 2021), also colour-blind safe.
    color: '#882255',
    dashed: true,
    bench: true,
  },
  { id: 'meso-gpu', engine: 'meso-gpu', options: { stp: 'mf2' }, label: 'meso on WebGPU, MF2', short: 'meso-gpu', color: mesoGpu.color, bench: true },
  { id: 'macro', engine: 'macro', options: { stp: 'mf2' }, label: 'macro (N → ∞), MF2', short: 'macro', color: macro.color, app: true, bench: true },
] as const satisfies readonly VariantDef<string, EngineId>[];

export type VariantId = (typeof VARIANT_LIST)[number]['id'];
export type Variant = VariantDef<VariantId, EngineId>;
/** Every named variant (engine + options) with its label and colour. */
export const VARIANTS: readonly Variant[] = VARIANT_LIST;
/** The variant ids. */
export const VARIANT_IDS: readonly VariantId[] = VARIANTS.map((v) => v.id);

/** The variants the app offers, and those `mesostp bench` runs, in registry order. */
export type AppVariantId = Extract<(typeof VARIANT_LIST)[number], { app: true }>['id'];
export type BenchVariantId = Extract<(typeof VARIANT_LIST)[number], { bench: true }>['id'];
export const APP_VARIANTS = VARIANTS.filter((v) => v.app).map((v) => v.id) as readonly AppVariantId[];
export const BENCH_VARIANTS = VARIANTS.filter((v) => v.bench).map((v) => v.id) as readonly BenchVariantId[];

/** Whether `id` names an engine. */
export function isEngineId(id: string): id is EngineId {
  return (ENGINE_IDS as readonly string[]).includes(id);
}

/** Whether `id` names a variant. */
export function isVariantId(id: string): id is VariantId {
  return (VARIANT_IDS as readonly string[]).includes(id);
}

/** The engine with this id (undefined for an unknown id). */
export function engine(id: EngineId): Engine;
export function engine(id: string): Engine | undefined;
export function engine(id: string): Engine | undefined {
  return ENGINES.find((e) => e.id === id);
}

/** The variant with this id (undefined for an unknown id). */
export function variant(id: VariantId): Variant;
export function variant(id: string): Variant | undefined;
export function variant(id: string): Variant | undefined {
  return VARIANTS.find((v) => v.id === id);
}

/** Every option name any engine takes, with its spec and the engines that take it (help texts, the CLI's flags). */
export function allOptions(): { spec: OptionSpec; engines: EngineId[] }[] {
  const out = new Map<string, { spec: OptionSpec; engines: EngineId[] }>();
  for (const e of ENGINES) {
    for (const spec of e.options) {
      const o = out.get(spec.name) ?? { spec, engines: [] };
      o.engines.push(e.id);
      out.set(spec.name, o);
    }
  }
  return [...out.values()];
}

/** "a, b or c" */
export function orList(values: readonly string[]): string {
  return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** Whether an option takes this value. */
export function isAllowed(spec: OptionSpec, value: string | number): boolean {
  if (spec.values) return spec.values.includes(String(value));
  if (spec.integer)
    return (spec.integer.auto === true && value === 'auto') || (typeof value === 'number' && Number.isInteger(value) && value >= spec.integer.min);
  return true;
}

/** The values an option takes, in words: "mf1, mf2 or age"; "an integer ≥ 1 or auto (one per core)". */
export function allowedText(spec: OptionSpec): string {
  if (spec.values) return orList(spec.values);
  if (spec.integer) return `an integer ≥ ${spec.integer.min}${spec.integer.auto ? ' or auto (one per core)' : ''}`;
  return 'any value';
}

/** A refused value as the CLI says it: "--stp mf3 is not a mean-field order; choose mf1, mf2 or age". */
export function refusedValue(spec: OptionSpec, value: string): string {
  return `--${spec.name} ${value}${spec.what ? ` is not ${spec.what};` : ':'} choose ${allowedText(spec)}`;
}

/** Refuses option names the engine does not declare and values it does not allow. */
export function checkOptions(e: Engine, options: OptionValues): void {
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const spec = e.options.find((o) => o.name === name);
    if (!spec) throw new Error(`${e.id} takes no option "${name}"${e.options.length > 0 ? `; its options: ${e.options.map((o) => o.name).join(', ')}` : ''}`);
    if (!isAllowed(spec, value)) throw new Error(`${e.id}: ${name} "${value}" is not allowed; ${spec.values ? 'choose ' : ''}${allowedText(spec)}`);
  }
}

/**
 * Refuses a run whose recording cannot fit in the host's memory (or a typed array), with the
 * numbers and what would fit (src/model/recordingMemory.ts); returns the estimate otherwise.
 * runEngine checks it; the CLI also does before it opens a GPU, so that the refusal comes at once.
 */
export async function checkRunMemory(id: EngineId, scenario: Scenario, options: OptionValues, ctx: EngineContext = {}): Promise<RecordingMemory> {
  // Parts concatenated at the end hold their arrays and the merged ones at once.
  const threads = options.threads === 'auto' ? 2 : Number(options.threads ?? 1);
  const merges = id === 'micro-gpu' || id === 'meso-gpu' || (engine(id).capabilities.threads && threads > 1 && scenario.run.trials > 1);
  return checkRecordingMemory(scenario, { merges, limit: ctx.hostMemory ?? (await hostMemoryLimit()) });
}

/** Runs an engine on a parsed scenario. */
export async function runEngine(id: EngineId, scenario: Scenario, options: OptionValues, ctx: EngineContext = {}): Promise<Recording> {
  const e = engine(id);
  checkOptions(e, options);
  await checkRunMemory(id, scenario, options, ctx);
  return e.run(scenario, options, ctx);
}

/** Runs a variant (its engine with its options) on a parsed scenario. */
export function runVariant(id: VariantId, scenario: Scenario, ctx: EngineContext = {}): Promise<Recording> {
  const v = variant(id);
  return runEngine(v.engine, scenario, v.options, ctx);
}

/**
 * The `mesostp run` arguments that run a variant: --level and every option of the variant.
 * `resolveAuto` turns an "auto" value into a number (the benchmarks pass the core count).
 */
export function variantCliArgs(id: VariantId, resolveAuto?: (option: string) => number): string[] {
  const v = variant(id);
  const args = ['--level', v.engine];
  for (const [name, value] of Object.entries(v.options)) {
    if (value === undefined) continue;
    args.push(`--${name}`, String(value === 'auto' && resolveAuto ? resolveAuto(name) : value));
  }
  return args;
}

/**
 * What `mesostp run` and `mesostp sweep` share: the flags that choose the engine and its options,
 * override the scenario's run and record sections and set the block size; their help lines;
 * turning them into a scenario's JSON, the engine's option values and the manifest of a
 * checkpointed run (src/io/checkpoint.ts).
 */
import { cpus } from 'node:os';
import { allOptions, allowedText, engine, ENGINE_IDS, type EngineId, isAllowed, isEngineId, type OptionValues, refusedValue } from '../engines';
import { type Manifest, runManifestOf } from '../io/checkpoint';
import type { Scenario } from '../model/scenario';
import { readScenarioFile } from './readScenarioFile';
import { numberOption, withRunOverrides } from './runOverrides';

/** The engine `mesostp run` and `mesostp sweep` use without --level. */
export const DEFAULT_LEVEL = 'micro-cpu';

/** Every engine option is a flag; the engines that take it are named in the help. */
export const OPTIONS = allOptions();

/** One line of a command's option list: the flag, padded, and its meaning. */
export const flag = (name: string, text: string) => `  ${name.padEnd(15)} ${text}`;

/** The parseArgs options of the shared flags. */
export const RUN_FLAGS = {
  level: { type: 'string', default: DEFAULT_LEVEL },
  trials: { type: 'string' },
  duration: { type: 'string' },
  seed: { type: 'string' },
  record: { type: 'string' },
  'keep-trials': { type: 'string' },
  ...Object.fromEntries(OPTIONS.map(({ spec }) => [spec.name, { type: 'string', default: String(spec.default) } as const])),
  'block-trials': { type: 'string' },
} as const;

/** The shared flags' values as parseArgs gives them. */
export type RunFlagValues = Record<string, string | boolean | string[] | undefined>;

const text = (values: RunFlagValues, name: string) => values[name] as string | undefined;

/** Help lines of --level … --keep-trials and every engine option, in this order. */
export const scenarioFlagHelp = [
  flag('--level L', `engine: ${ENGINE_IDS.join(', ')} (default ${DEFAULT_LEVEL})`),
  flag('--trials B', 'override run.trials'),
  flag('--duration T', 'override run.duration (s)'),
  flag('--seed S', 'override run.seed'),
  flag('--record R', "trials: keep every trial's arrays; stats: per-bin trial means and variances, memory"),
  flag('', 'independent of the trials (overrides record.trials, "all" or "stats")'),
  flag('--keep-trials K', 'with --record stats: the first K trials keep their arrays (record.keepTrials)'),
  ...OPTIONS.map(({ spec, engines }) =>
    flag(`--${spec.name} ${spec.metavar}`, `${engines.join(', ')}: ${spec.description}: ${allowedText(spec)} (default ${spec.default})`),
  ),
].join('\n');

/** Help lines of --block-trials. */
export const blockTrialsHelp = [
  flag('--block-trials B', 'trials per saved block (default ceil(trials / 16), at least --threads, at least 256'),
  flag('', 'on micro-gpu): fewer lose less at a crash,'),
  flag('', 'more pay the engine set-up fewer times; one trial is one block (not saved mid-way)'),
].join('\n');

/** The level, or why a flag's value is refused (a usage error: exit status 2). */
export function checkRunFlags(command: string, values: RunFlagValues): { level: EngineId } | { error: string } {
  const level = text(values, 'level')!;
  if (!isEngineId(level)) return { error: `${command}: --level ${level} is not available; choose one of ${ENGINE_IDS.join(', ')}` };
  for (const { spec } of OPTIONS) {
    const value = text(values, spec.name)!;
    if (spec.values && !isAllowed(spec, value)) return { error: `${command}: ${refusedValue(spec, value)}` };
  }
  const record = text(values, 'record');
  if (record !== undefined && record !== 'stats' && record !== 'trials')
    return { error: `${command}: --record ${record} is not a recording mode; choose trials (every trial's arrays) or stats (per-bin statistics)` };
  return { level };
}

/**
 * The scenario file's JSON with --trials, --duration, --seed, --record and --keep-trials applied
 * (not yet validated), or why the file is refused (exit status 1). Throws for a flag that is not a number.
 */
// biome-ignore lint/suspicious/noExplicitAny: the scenario file's raw JSON, edited by the flags before it is validated
export async function readRunScenario(file: string, values: RunFlagValues): Promise<{ json: Record<string, any> } | { error: string }> {
  const parsed = await readScenarioFile(file);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { error: `${file}: a scenario is a JSON object with populations, projections, run and record` };
  const json = withRunOverrides(parsed as Record<string, unknown>, {
    trials: text(values, 'trials'),
    duration: text(values, 'duration'),
    seed: text(values, 'seed'),
  });
  const record = text(values, 'record');
  const keepTrials = numberOption('keep-trials', text(values, 'keep-trials'), true);
  if (record !== undefined || keepTrials !== undefined) {
    json.record = { ...json.record };
    if (record !== undefined) json.record.trials = record === 'stats' ? 'stats' : 'all';
    if (keepTrials !== undefined) json.record.keepTrials = keepTrials;
  }
  return { json };
}

/** The engines' options as run() takes them: choices as given, integers parsed ("auto": one per core). Throws naming a bad flag. */
export function engineOptionValues(values: RunFlagValues): OptionValues {
  const options: OptionValues = {};
  for (const { spec } of OPTIONS) {
    const value = text(values, spec.name)!;
    if (!spec.integer) options[spec.name] = value;
    else {
      const n = spec.integer.auto && value === 'auto' ? cpus().length : numberOption(spec.name, value, true)!;
      if (n < spec.integer.min) throw new Error(`--${spec.name} must be ≥ ${spec.integer.min}, got ${n}`);
      options[spec.name] = n;
    }
  }
  return options;
}

/** The options of `level` among `options`, sorted by name: what a manifest records and the engine runs with. */
export function levelOptions(level: EngineId, options: OptionValues): Record<string, string | number> {
  return Object.fromEntries(
    engine(level)
      .options.map((o) => o.name)
      .filter((name) => options[name] !== undefined)
      .sort()
      .map((name) => [name, options[name]!]),
  );
}

/** --block-trials as a number, or undefined when absent; throws when it is not a positive integer. */
export function blockTrialsFlag(values: RunFlagValues): number | undefined {
  const n = numberOption('block-trials', text(values, 'block-trials'), true);
  if (n !== undefined && n < 1) throw new Error(`--block-trials must be ≥ 1, got ${n}`);
  return n;
}

/** The manifest of a checkpointed run of `scenario` (blockTrials: --block-trials, or the default for its trials, level and threads). */
export function runManifest(scenario: Scenario, level: EngineId, options: OptionValues, blockTrials: number | undefined, shard: Manifest['shard']): Manifest {
  return runManifestOf(scenario, level, levelOptions(level, options), blockTrials, shard);
}

/** The flags that override a scenario file's run section (--trials, --duration, --seed), shared by `run` and `export`. */

/** A number flag, or undefined when absent; throws naming the flag when it is not a number (or not an integer). */
export function numberOption(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'}, got "${value}"`);
  return n;
}

/**
 * The scenario file's JSON with --trials, --duration and --seed applied to a copy of its run
 * section (the file's object is not changed); validation comes after.
 */
// biome-ignore lint/suspicious/noExplicitAny: the scenario file's raw JSON, edited by the flags before it is validated
export function withRunOverrides(json: Record<string, any>, values: { trials?: string; duration?: string; seed?: string }): Record<string, any> {
  const run = { ...json.run };
  const trials = numberOption('trials', values.trials, true);
  const duration = numberOption('duration', values.duration, false);
  const seed = numberOption('seed', values.seed, true);
  if (trials !== undefined) run.trials = trials;
  if (duration !== undefined) run.duration = duration;
  if (seed !== undefined) run.seed = seed;
  return { ...json, run };
}

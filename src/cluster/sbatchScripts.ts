/**
 * The files `mesostp slurm` writes: an sbatch job-array script whose task K runs shard K of N, a
 * final script that combines the shards once every task has succeeded, and submit.sh, which
 * submits both with the dependency between them. Pure text: the command (src/cli/commands/slurm.ts)
 * decides what runs, this module only says it in sbatch's words.
 */

/** The sbatch options mesostp sets from its own flags; anything else goes through `extra`. */
export interface SbatchResources {
  partition?: string;
  /** Generic resources per task, e.g. "gpu:1" (the name is the cluster's: see docs/cluster.md). */
  gres?: string;
  /** Wall-clock limit per task, in sbatch's formats ("30", "2:00:00", "1-00:00:00"). */
  time?: string;
  cpusPerTask?: number;
  /** Memory per node, in sbatch's format ("4G", "16000M"). */
  mem?: string;
  account?: string;
  qos?: string;
  /** At most this many array tasks at once (sbatch's --array=1-N%M). */
  maxRunning?: number;
  /** Further `--name=value` options, each written as one #SBATCH line of both scripts. */
  extra?: readonly string[];
}

export interface SbatchPlan {
  /** The job name; the final job gets "-final" appended. */
  jobName: string;
  /** Array tasks (shards), numbered 1..shards. */
  shards: number;
  /** The folder that holds the scripts and logs/ (absolute, no whitespace). */
  slurmDir: string;
  /** The command that starts mesostp on a compute node, already shell-quoted (e.g. '/usr/bin/node' '/opt/mesostp/bin/mesostp.js'). */
  mesostp: string;
  /** The arguments of array task K, TASK_ID standing for K; quoted here. */
  shardArgs: readonly string[];
  /** The arguments of the final job (merge or sweep table). Quoted here. */
  finalArgs: readonly string[];
  /** What the final job does, for the scripts' comments ("merge the shards into DIR/run"). */
  finalWhat: string;
  /** What the run is, for the scripts' comments. */
  description: string;
  resources: SbatchResources;
  /** Resources of the final job: the array's without the GPU and the per-task CPUs by default. */
  finalResources: SbatchResources;
}

/** POSIX shell single-quoting: any string becomes one word, unchanged. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'"'"'`)}'`;
}

/** The placeholder in SbatchPlan.shardArgs for the array task's number. */
export const TASK_ID = '{K}';

/** An argument list as one shell line; TASK_ID becomes the array task's number, outside quotes. */
export function commandLine(args: readonly string[]): string {
  return args
    .map((a) =>
      a === ''
        ? "''"
        : a
            .split(TASK_ID)
            .map((part) => (part === '' ? '' : shellQuote(part)))
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable, expanded by bash, not by JavaScript
            .join('"${SLURM_ARRAY_TASK_ID}"'),
    )
    .join(' ');
}

/** Refuses what #SBATCH lines cannot carry (sbatch splits them at whitespace and has no quoting). */
export function checkSbatchValue(name: string, value: string): void {
  if (value === '' || /\s/.test(value)) throw new Error(`--${name} '${value}': sbatch options cannot contain whitespace or be empty`);
}

function resourceLines(r: SbatchResources): string[] {
  const lines: string[] = [];
  const add = (name: string, value: string | number | undefined) => {
    if (value === undefined) return;
    checkSbatchValue(name, String(value));
    lines.push(`#SBATCH --${name}=${value}`);
  };
  add('partition', r.partition);
  add('gres', r.gres);
  add('time', r.time);
  add('cpus-per-task', r.cpusPerTask);
  add('mem', r.mem);
  add('account', r.account);
  add('qos', r.qos);
  for (const e of r.extra ?? []) {
    if (!/^--[a-z][a-z-]*(=\S+)?$/.test(e))
      throw new Error(`--sbatch '${e}': expected one sbatch option as --name=value (or --flag), e.g. --sbatch --constraint=avx512`);
    lines.push(`#SBATCH ${e}`);
  }
  return lines;
}

function header(jobName: string, what: string): string[] {
  checkSbatchValue('job-name', jobName);
  return ['#!/bin/bash', `# ${what}`, '# Written by mesostp slurm; submit.sh beside it submits this job (docs/cluster.md).', `#SBATCH --job-name=${jobName}`];
}

/** The job-array script: task K runs shard K of the run. */
export function arrayScript(p: SbatchPlan): string {
  if (!Number.isInteger(p.shards) || p.shards < 1) throw new Error(`--shards must be a positive integer, got ${p.shards}`);
  checkSbatchValue('out', p.slurmDir);
  const limit = p.resources.maxRunning === undefined ? '' : `%${p.resources.maxRunning}`;
  return [
    ...header(p.jobName, `${p.description}: array task K runs shard K of ${p.shards}.`),
    `#SBATCH --array=1-${p.shards}${limit}`,
    `#SBATCH --output=${p.slurmDir}/logs/shard-%a.out`,
    ...resourceLines(p.resources),
    '',
    '# --resume: a task that was pre-empted, timed out or failed continues its saved blocks when',
    '# resubmitted (sbatch --array=K array.sbatch), and ends with the same bytes.',
    'set -euo pipefail',
    `exec ${p.mesostp} ${commandLine(p.shardArgs)}`,
    '',
  ].join('\n');
}

/** The final job: runs once every array task has succeeded (submit.sh sets the dependency). */
export function finalScript(p: SbatchPlan): string {
  return [
    ...header(`${p.jobName}-final`, `${p.description}: ${p.finalWhat}, once all ${p.shards} array tasks have succeeded.`),
    `#SBATCH --output=${p.slurmDir}/logs/final.out`,
    ...resourceLines(p.finalResources),
    '',
    'set -euo pipefail',
    `exec ${p.mesostp} ${commandLine(p.finalArgs)}`,
    '',
  ].join('\n');
}

/**
 * submit.sh: the array, then the final job with afterok on the whole array; if a task fails, SLURM
 * cancels the final job (--kill-on-invalid-dep) instead of leaving it pending for ever. Prints
 * both job ids and writes them to jobs.json.
 */
export function submitScript(p: SbatchPlan): string {
  return [
    '#!/bin/bash',
    `# Submits ${p.description}: ${p.shards} array task(s), then the final job (${p.finalWhat}).`,
    '# Written by mesostp slurm. Extra sbatch options on the command line go to both jobs:',
    '#   bash submit.sh --reservation=mine',
    'set -euo pipefail',
    'here=$(cd "$(dirname "$0")" && pwd)',
    'array=$(sbatch --parsable "$@" "$here/array.sbatch")',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable, expanded by bash, not by JavaScript
    'array=${array%%;*}',
    'final=$(sbatch --parsable "$@" --dependency=afterok:"$array" --kill-on-invalid-dep=yes "$here/final.sbatch")',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable, expanded by bash, not by JavaScript
    'final=${final%%;*}',
    'printf \'{"array": "%s", "final": "%s"}\\n\' "$array" "$final" >"$here/jobs.json"',
    `echo "submitted: array job $array (${p.shards} task(s)), final job $final (${p.finalWhat}; it runs when every task has succeeded)"`,
    '',
  ].join('\n');
}

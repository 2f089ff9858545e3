import { spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, writeFile, chmod } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from '../command';
import { arrayScript, finalScript, shellQuote, submitScript, TASK_ID, type SbatchPlan, type SbatchResources } from '../../cluster/sbatchScripts';
import { emptyDir, outState } from '../../io/checkpoint';
import { numberOption } from '../runOverrides';

const help = `mesostp slurm run SCENARIO --shards N --out DIR [run options] [sbatch options] [--submit]
mesostp slurm sweep SCENARIO --vary ... --shards N --out DIR [sweep options] [sbatch options] [--submit]

Writes what runs a Monte Carlo run or a parameter sweep as a SLURM job array of N tasks, and a
final job that runs once every task has succeeded:
  run:   task K runs mesostp run --shard K/N into DIR/shards/K; the final job merges the shards
         into DIR/run (mesostp merge), the same bytes as the run in one process;
  sweep: task K runs the points p with p mod N = K − 1 into DIR/sweep; the final job writes the
         sweep's table and figures (mesostp sweep --table-only).
Every other option is the run's or the sweep's own, checked now (mesostp run/sweep --dry-run), and
passed to each task as given. The scenario is copied to DIR/slurm/scenario.json, so that editing
the original later changes nothing. DIR/slurm holds array.sbatch, final.sbatch, submit.sh (which
submits both) and logs/. Tasks run with --resume: a pre-empted or failed task resubmitted with
sbatch --array=K DIR/slurm/array.sbatch continues its saved blocks. docs/cluster.md: set-up on a
cluster, GPUs, failed tasks, costs.

Options:
  --shards N           array tasks (at most the run's blocks, or the sweep's points)
  --out DIR            the job's folder: new or empty (--force empties it)
  --submit             submit now (bash DIR/slurm/submit.sh); without it, prints that command
  --partition P        sbatch --partition, both jobs
  --gres G             sbatch --gres for the array tasks only, e.g. gpu:1 for --level micro-gpu
  --time T             sbatch --time (wall-clock limit per task), both jobs
  --cpus-per-task C    sbatch --cpus-per-task for the array tasks (default: the run's --threads);
                       --threads auto becomes --threads C, so that every task splits its blocks alike
  --mem M              sbatch --mem, both jobs
  --account A, --qos Q sbatch --account, --qos, both jobs
  --max-running M      at most M tasks at once (--array=1-N%M)
  --sbatch OPT         one more sbatch option for both jobs, as --name=value; repeatable
  --mesostp CMD        how a compute node starts mesostp, as a shell command (default: this
                       node's Node.js and mesostp, absolute paths; the cluster must share them)
  --force              empty DIR first`;

/** The options of `mesostp slurm` itself; every other argument goes to the run or sweep. */
const OWN_VALUE = ['shards', 'out', 'partition', 'gres', 'time', 'cpus-per-task', 'mem', 'account', 'qos', 'max-running', 'sbatch', 'mesostp'] as const;
const OWN_FLAGS = ['submit', 'force'] as const;
/** Set by mesostp slurm for each task; given by the user they would break the layout. */
const RESERVED = ['shard', 'resume', 'table-only', 'dry-run'];

interface SplitArgs {
  own: Map<string, string[]>;
  flags: Set<string>;
  /** The run's or sweep's arguments, the scenario first. */
  inner: string[];
}

/** Separates mesostp slurm's options from the run's/sweep's (kept in order, verbatim). */
export function splitSlurmArgs(args: readonly string[]): SplitArgs {
  const own = new Map<string, string[]>();
  const flags = new Set<string>();
  const inner: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(a);
    const name = m?.[1];
    if (name && (OWN_FLAGS as readonly string[]).includes(name) && m[2] === undefined) flags.add(name);
    else if (name && (OWN_VALUE as readonly string[]).includes(name)) {
      const value = m[2] ?? args[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      own.set(name, [...(own.get(name) ?? []), value]);
    } else inner.push(a);
  }
  return { own, flags, inner };
}

/** Runs this mesostp (same Node.js, same script) and collects its output. */
function runSelf(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [process.argv[1], ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

/** The value of option `name` in an argument list (`--name value` or `--name=value`), the last one. */
function optionValue(args: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) value = args[i + 1];
    else if (args[i].startsWith(`--${name}=`)) value = args[i].slice(name.length + 3);
  }
  return value;
}

/** Replaces option `name`'s value wherever it is given. */
function replaceOption(args: readonly string[], name: string, value: string): string[] {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === `--${name}`) out[i + 1] = value;
    else if (out[i].startsWith(`--${name}=`)) out[i] = `--${name}=${value}`;
  }
  return out;
}

/** What `run --dry-run` / `sweep --dry-run` print on their last line: the units a shard takes. */
interface DryRunPlan {
  /** Blocks (run) or points (sweep). */
  units: number;
  unitName: string;
  level: string;
  scenario: string;
}

export const slurmCommand: Command = {
  name: 'slurm',
  summary: 'write (and --submit) a SLURM job array that runs a run or a sweep in shards, and merges them',
  help,
  async run(args) {
    const [mode, ...rest] = args;
    if (mode !== 'run' && mode !== 'sweep') {
      console.error(`mesostp slurm: expected 'run' or 'sweep' first, got ${mode === undefined ? 'nothing' : `'${mode}'`}.\n\n${help}`);
      return 2;
    }
    let split: SplitArgs;
    try {
      split = splitSlurmArgs(rest);
    } catch (error) {
      console.error(`mesostp slurm: ${(error as Error).message}`);
      return 2;
    }
    const one = (name: string) => split.own.get(name)?.at(-1);
    const shards = numberOption('shards', one('shards'), true);
    const outArg = one('out');
    if (shards === undefined || outArg === undefined) {
      console.error(`mesostp slurm: --shards N and --out DIR are required.\n\n${help}`);
      return 2;
    }
    if (shards < 1) {
      console.error(`mesostp slurm: --shards must be at least 1, got ${shards}`);
      return 2;
    }
    const reserved = split.inner.find((a) => RESERVED.some((r) => a === `--${r}` || a.startsWith(`--${r}=`)));
    if (reserved) {
      console.error(`mesostp slurm: ${reserved} is set by mesostp slurm for each task; leave it out`);
      return 2;
    }
    const scenarioArg = split.inner.find((a) => !a.startsWith('--'));
    if (scenarioArg === undefined || scenarioArg !== split.inner[0]) {
      console.error(`mesostp slurm ${mode}: the scenario file comes first after '${mode}'`);
      return 2;
    }
    const dir = resolve(outArg);
    if (/\s/.test(dir)) {
      console.error(`mesostp slurm: --out ${dir}: sbatch's #SBATCH lines cannot hold a path with whitespace; choose a folder without`);
      return 2;
    }

    // Resources; --threads auto would split blocks by each node's cores, so it becomes the task's CPUs.
    let inner = split.inner.slice(1);
    const cpusText = one('cpus-per-task');
    let cpusPerTask = numberOption('cpus-per-task', cpusText, true);
    const threads = optionValue(inner, 'threads');
    if (threads === 'auto') {
      if (cpusPerTask === undefined) {
        console.error('mesostp slurm: --threads auto takes the cores of whichever node runs a task: give --cpus-per-task C (each task then runs C threads)');
        return 2;
      }
      inner = replaceOption(inner, 'threads', String(cpusPerTask));
    } else if (threads !== undefined && cpusPerTask === undefined && Number(threads) > 1) cpusPerTask = Number(threads);
    const maxRunning = numberOption('max-running', one('max-running'), true);
    const resources: SbatchResources = {
      partition: one('partition'),
      gres: one('gres'),
      time: one('time'),
      cpusPerTask,
      mem: one('mem'),
      account: one('account'),
      qos: one('qos'),
      maxRunning,
      extra: split.own.get('sbatch') ?? [],
    };

    // The run's or sweep's own checks, from the same mesostp: a mistake shows now, not in N logs.
    const scenarioCopy = join(dir, 'slurm', 'scenario.json');
    const dry = await runSelf([mode, scenarioArg, ...inner, '--out', join(dir, mode === 'run' ? 'run' : 'sweep'), '--dry-run']);
    if (dry.code !== 0) {
      process.stderr.write(dry.stderr);
      console.error(`mesostp slurm: mesostp ${mode} refused these options (above); nothing was written`);
      return dry.code;
    }
    const plan = JSON.parse(dry.stdout.trim().split('\n').at(-1)!) as DryRunPlan;
    if (shards > plan.units) {
      console.error(
        `mesostp slurm: --shards ${shards}, but the ${mode} has ${plan.units} ${plan.unitName}(s): tasks beyond ${plan.units} would have nothing to do; use --shards ≤ ${plan.units}${mode === 'run' ? ' or a smaller --block-trials' : ''}`,
      );
      return 2;
    }
    if ((plan.level === 'micro-gpu' || plan.level === 'meso-gpu') && resources.gres === undefined)
      console.error(
        `warning: --level ${plan.level}, but the array tasks request no GPU: add --gres gpu:1 (or the GPU name your cluster uses; docs/cluster.md)`,
      );

    const state = await outState(dir);
    if (state.kind !== 'empty') {
      if (!split.flags.has('force')) {
        console.error(`mesostp slurm: ${dir} is not empty: choose a new or empty --out, or --force to empty it`);
        return 1;
      }
      await emptyDir(dir);
    }
    await mkdir(join(dir, 'slurm', 'logs'), { recursive: true });
    await copyFile(scenarioArg, scenarioCopy);

    const mesostp = one('mesostp') ?? [process.execPath, resolve(process.argv[1])].map(shellQuote).join(' ');
    const shardArgs =
      mode === 'run'
        ? ['run', scenarioCopy, ...inner, '--out', join(dir, 'shards', TASK_ID), '--shard', `${TASK_ID}/${shards}`, '--resume']
        : ['sweep', scenarioCopy, ...inner, '--out', join(dir, 'sweep'), '--shard', `${TASK_ID}/${shards}`, '--resume'];
    const finalArgs =
      mode === 'run'
        ? ['merge', join(dir, 'run'), ...Array.from({ length: shards }, (_, k) => join(dir, 'shards', String(k + 1))), '--force']
        : ['sweep', scenarioCopy, ...inner, '--out', join(dir, 'sweep'), '--table-only'];
    const sbatchPlan: SbatchPlan = {
      jobName: `mesostp-${plan.scenario.replace(/[^A-Za-z0-9_.-]+/g, '-')}`,
      shards,
      slurmDir: join(dir, 'slurm'),
      mesostp,
      shardArgs,
      finalArgs,
      finalWhat: mode === 'run' ? `merge the shards into ${join(dir, 'run')}` : `write the sweep's table and figures in ${join(dir, 'sweep')}`,
      description: `mesostp ${mode} of ${plan.scenario} at ${plan.level} (${plan.units} ${plan.unitName}(s) in ${shards} shard(s))`,
      resources,
      finalResources: { ...resources, gres: undefined, cpusPerTask: undefined, maxRunning: undefined },
    };
    let texts: [string, string][];
    try {
      texts = [
        ['array.sbatch', arrayScript(sbatchPlan)],
        ['final.sbatch', finalScript(sbatchPlan)],
        ['submit.sh', submitScript(sbatchPlan)],
      ];
    } catch (error) {
      console.error(`mesostp slurm: ${(error as Error).message}`);
      return 2;
    }
    for (const [name, text] of texts) {
      const file = join(dir, 'slurm', name);
      await writeFile(file, text);
      await chmod(file, 0o755);
    }
    const submit = `bash ${shellQuote(join(dir, 'slurm', 'submit.sh'))}`;
    console.log(`wrote ${(await readdir(join(dir, 'slurm'))).sort().join(', ')} in ${join(dir, 'slurm')}: ${sbatchPlan.description}`);
    if (!split.flags.has('submit')) {
      console.log(`submit with: ${submit}`);
      return 0;
    }
    const submitted = await new Promise<number>((resolvePromise, reject) => {
      const child = spawn('bash', [join(dir, 'slurm', 'submit.sh')], { stdio: 'inherit' });
      child.on('error', reject);
      child.on('close', (code) => resolvePromise(code ?? 1));
    });
    if (submitted !== 0) console.error(`mesostp slurm: sbatch failed (above); the scripts stay in ${join(dir, 'slurm')}: fix and run ${submit}`);
    return submitted;
  },
};

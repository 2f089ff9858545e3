/**
 * `mesostp slurm` on a real single-node SLURM cluster (./slurmCluster.ts: Debian's slurm-wlm and
 * munge, started as root by this test and stopped afterwards): a 4-task job array and its merge
 * job give the bytes of the run in one process; a task that fails is resubmitted and continues;
 * a sweep runs as an array with its table written by the final job. Also the command's refusals,
 * and the scripts' quoting through a real bash.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledCli } from '../support/cli';
import { expectSameOutput } from '../support/runOutput';
import { startSlurmCluster, type SlurmCluster } from './slurmCluster';

const exec = promisify(execFile);
const cli = bundledCli('cli-slurm-');
const { mesostp } = cli;

let cluster: SlurmCluster;
beforeAll(async () => {
  cluster = await startSlurmCluster();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

const RUN_ARGS = ['scenarios/demo.json', '--trials', '8', '--block-trials', '2', '--duration', '0.5'];

const folder = (name: string) => {
  const dir = resolve(cli.dir, name);
  mkdirSync(cli.dir, { recursive: true });
  return dir;
};

function jobs(dir: string): { array: string; final: string } {
  return JSON.parse(readFileSync(join(dir, 'slurm', 'jobs.json'), 'utf8'));
}

async function logsOf(dir: string): Promise<string> {
  const logs = join(dir, 'slurm', 'logs');
  if (!existsSync(logs)) return '(no logs)';
  return readdirSync(logs)
    .map((f) => `--- ${f}\n${readFileSync(join(logs, f), 'utf8')}`)
    .join('\n');
}

describe('mesostp slurm on a single-node cluster', () => {
  it('a 4-task array and its merge job equal the run in one process, byte for byte', async () => {
    const single = folder('single');
    const one = await mesostp(['run', ...RUN_ARGS, '--out', single]);
    expect(one.code, one.stderr).toBe(0);

    const job = folder('job4');
    const submitted = await mesostp(['slurm', 'run', ...RUN_ARGS, '--shards', '4', '--out', job, '--submit'], { SLURM_CONF: cluster.env.SLURM_CONF! });
    expect(submitted.code, submitted.stderr + submitted.stdout).toBe(0);
    const ids = jobs(job);
    await cluster.waitForJobs([ids.array, ids.final], 240_000);
    expect(await cluster.jobState(ids.array), await logsOf(job)).toBe('COMPLETED');
    expect(await cluster.jobState(ids.final), await logsOf(job)).toBe('COMPLETED');
    for (let k = 1; k <= 4; k++) expect(readdirSync(join(job, 'shards', String(k), 'blocks')).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    expectSameOutput(single, join(job, 'run'));
  }, 300_000);

  it('a failed task cancels the merge; resubmitted, it continues and the merge gives the same bytes', async () => {
    const single = folder('single');
    const job = folder('job-fail');
    const written = await mesostp(['slurm', 'run', ...RUN_ARGS, '--shards', '2', '--out', job]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain('submit with: bash');
    // Shard 2's folder is occupied by something that is not this run: its task fails, as a task on
    // a broken node would, and the final job must not run.
    const blocker = join(job, 'shards', '2');
    mkdirSync(blocker, { recursive: true });
    writeFileSync(join(blocker, 'stray.txt'), 'not a run');
    const { stdout } = await exec('bash', [join(job, 'slurm', 'submit.sh')], { env: cluster.env });
    expect(stdout).toMatch(/submitted: array job \d+/);
    const first = jobs(job);
    await cluster.waitForJobs([first.array, first.final], 240_000);
    expect(await cluster.jobState(first.array)).toContain('FAILED');
    expect(await cluster.jobState(first.final)).toBe('CANCELLED');
    expect(existsSync(join(job, 'run', 'summary.json'))).toBe(false);
    expect(readFileSync(join(job, 'slurm', 'logs', 'shard-2.out'), 'utf8')).toContain('not a mesostp run');

    // What docs/cluster.md tells a user: fix the cause, resubmit the failed task, then the final job.
    await exec('rm', ['-r', blocker]);
    const again = (await cluster.client('sbatch', ['--parsable', '--array=2', join(job, 'slurm', 'array.sbatch')])).trim();
    const merge = (
      await cluster.client('sbatch', ['--parsable', `--dependency=afterok:${again}`, '--kill-on-invalid-dep=yes', join(job, 'slurm', 'final.sbatch')])
    ).trim();
    await cluster.waitForJobs([again, merge], 240_000);
    expect(await cluster.jobState(merge), await logsOf(job)).toBe('COMPLETED');
    expectSameOutput(single, join(job, 'run'));
  }, 300_000);

  it('a sweep runs as a 3-task array and its final job writes the table of the sweep in one process', async () => {
    const SWEEP = ['scenarios/v2-feedforward-depression.json', '--vary', 'projections[0].stp.U=0.2:0.6:3', '--vary', 'projections[0].weight=0.3,0.6'];
    const SMALL = ['--trials', '4', '--duration', '0.3', '--block-trials', '2'];
    const local = folder('sweep-local');
    const one = await mesostp(['sweep', ...SWEEP, ...SMALL, '--out', local]);
    expect(one.code, one.stderr).toBe(0);

    const job = folder('sweep-job');
    const submitted = await mesostp(['slurm', 'sweep', ...SWEEP, ...SMALL, '--shards', '3', '--out', job, '--submit'], { SLURM_CONF: cluster.env.SLURM_CONF! });
    expect(submitted.code, submitted.stderr + submitted.stdout).toBe(0);
    const ids = jobs(job);
    await cluster.waitForJobs([ids.array, ids.final], 240_000);
    expect(await cluster.jobState(ids.array), await logsOf(job)).toBe('COMPLETED');
    expect(await cluster.jobState(ids.final), await logsOf(job)).toBe('COMPLETED');
    // Six points over three tasks: task K ran points K-1 and K+2 (numbered from 000).
    const task2 = readFileSync(join(job, 'slurm', 'logs', 'shard-2.out'), 'utf8');
    expect(task2).toContain('point 001 (1 of 2 in shard 2/3)');
    expect(task2).toContain('point 004 (2 of 2 in shard 2/3)');
    expect(readFileSync(join(job, 'sweep', 'sweep.csv'), 'utf8')).toBe(readFileSync(join(local, 'sweep.csv'), 'utf8'));
    for (const point of ['000', '003', '005']) expectSameOutput(join(local, 'points', point), join(job, 'sweep', 'points', point));
    expect(readdirSync(join(job, 'sweep', 'figures')).sort()).toEqual(readdirSync(join(local, 'figures')).sort());
  }, 300_000);

  it('refuses what would go wrong on the cluster, before writing anything', async () => {
    const job = folder('refused');
    const cases: [string[], RegExp][] = [
      [['slurm', 'run', ...RUN_ARGS, '--shards', '5', '--out', job], /--shards 5, but the run has 4 block\(s\).*--shards ≤ 4/],
      [['slurm', 'run', ...RUN_ARGS, '--shards', '2', '--shard', '1/2', '--out', job], /--shard is set by mesostp slurm/],
      [['slurm', 'run', ...RUN_ARGS, '--threads', 'auto', '--shards', '2', '--out', job], /--threads auto.*--cpus-per-task/],
      [['slurm', 'run', 'scenarios/demo.json', '--trials', '-3', '--shards', '2', '--out', job], /trials/],
      [['slurm', 'run', ...RUN_ARGS, '--shards', '2', '--partition', 'a b', '--out', job], /whitespace/],
      [['slurm', 'walk', ...RUN_ARGS, '--shards', '2', '--out', job], /expected 'run' or 'sweep'/],
    ];
    for (const [args, message] of cases) {
      const r = await mesostp(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(existsSync(join(job, 'slurm', 'array.sbatch'))).toBe(false);

    mkdirSync(job, { recursive: true });
    writeFileSync(join(job, 'notes.txt'), 'mine');
    const occupied = await mesostp(['slurm', 'run', ...RUN_ARGS, '--shards', '2', '--out', job]);
    expect(occupied.code).toBe(1);
    expect(occupied.stderr).toMatch(/is not empty.*--force/);
    expect(readFileSync(join(job, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('--threads auto becomes the task CPUs, and micro-cpu threads request as many CPUs', async () => {
    const job = folder('threads');
    const r = await mesostp(['slurm', 'run', ...RUN_ARGS, '--threads', 'auto', '--cpus-per-task', '2', '--shards', '2', '--out', job, '--time', '10:00']);
    expect(r.code, r.stderr).toBe(0);
    const script = readFileSync(join(job, 'slurm', 'array.sbatch'), 'utf8');
    expect(script).toContain('#SBATCH --cpus-per-task=2');
    expect(script).toContain('#SBATCH --time=10:00');
    expect(script).toMatch(/ --threads 2 /);
    expect(script).not.toContain('auto');
    const final = readFileSync(join(job, 'slurm', 'final.sbatch'), 'utf8');
    expect(final).toContain('#SBATCH --time=10:00');
    expect(final).not.toContain('cpus-per-task');
  });
});

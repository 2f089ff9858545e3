/**
 * The sbatch scripts of `mesostp slurm`, run through a real bash: every argument reaches the
 * command unchanged (spaces, quotes, $, the task number inside a path), the #SBATCH lines carry
 * the resources, and what sbatch cannot carry is refused. The cluster itself: test/cluster.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { arrayScript, commandLine, finalScript, shellQuote, submitScript, TASK_ID, type SbatchPlan } from '../../../src/cluster/sbatchScripts';

const exec = promisify(execFile);

const ARGS = ['run', '/data/my scenario.json', "it's", '$HOME', '--out', `/jobs/x/shards/${TASK_ID}`, '--shard', `${TASK_ID}/4`, '', 'a"b'];

function plan(over: Partial<SbatchPlan> = {}): SbatchPlan {
  return {
    jobName: 'mesostp-demo',
    shards: 4,
    slurmDir: '/jobs/x/slurm',
    mesostp: "printf '%s\\n'",
    shardArgs: ARGS,
    finalArgs: ['merge', '/jobs/x/run', '--force'],
    finalWhat: 'merge',
    description: 'a test',
    resources: { partition: 'gpu', gres: 'gpu:1', time: '1:00:00', cpusPerTask: 2, mem: '4G', maxRunning: 2, extra: ['--constraint=avx2'] },
    finalResources: { partition: 'gpu', time: '1:00:00' },
    ...over,
  };
}

async function runScript(text: string, taskId: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sbatch-'));
  writeFileSync(join(dir, 's.sh'), text);
  const { stdout } = await exec('bash', [join(dir, 's.sh')], { env: { ...process.env, SLURM_ARRAY_TASK_ID: taskId } });
  return stdout.split('\n').slice(0, -1);
}

describe('sbatch scripts', () => {
  it('pass every argument unchanged, with the task number in place of TASK_ID', async () => {
    expect(await runScript(arrayScript(plan()), '3')).toEqual(ARGS.map((a) => a.replaceAll(TASK_ID, '3')));
    expect(await runScript(finalScript(plan()), '')).toEqual(['merge', '/jobs/x/run', '--force']);
  });

  it('quote only what needs it', () => {
    expect(shellQuote('/a/b-c_d.json')).toBe('/a/b-c_d.json');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('')).toBe("''");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable, expanded by bash, not by JavaScript
    expect(commandLine(['x', `/s/${TASK_ID}`])).toBe('x /s/"${SLURM_ARRAY_TASK_ID}"');
  });

  it('write the resources as #SBATCH lines, the array with its limit', () => {
    const text = arrayScript(plan());
    for (const line of [
      '#SBATCH --job-name=mesostp-demo',
      '#SBATCH --array=1-4%2',
      '#SBATCH --output=/jobs/x/slurm/logs/shard-%a.out',
      '#SBATCH --partition=gpu',
      '#SBATCH --gres=gpu:1',
      '#SBATCH --time=1:00:00',
      '#SBATCH --cpus-per-task=2',
      '#SBATCH --mem=4G',
      '#SBATCH --constraint=avx2',
    ])
      expect(text.split('\n')).toContain(line);
    const final = finalScript(plan());
    expect(final).toContain('#SBATCH --job-name=mesostp-demo-final');
    expect(final).not.toContain('--gres');
    expect(final).not.toContain('--array');
    expect(submitScript(plan())).toContain('--dependency=afterok:"$array" --kill-on-invalid-dep=yes');
  });

  it('refuse what sbatch cannot carry', () => {
    expect(() => arrayScript(plan({ resources: { partition: 'a b' } }))).toThrow(/--partition 'a b'.*whitespace/);
    expect(() => arrayScript(plan({ slurmDir: '/my jobs/slurm' }))).toThrow(/whitespace/);
    expect(() => arrayScript(plan({ resources: { extra: ['constraint=avx2'] } }))).toThrow(/--sbatch 'constraint=avx2'.*--name=value/);
    expect(() => arrayScript(plan({ shards: 0 }))).toThrow(/--shards must be a positive integer/);
  });
});

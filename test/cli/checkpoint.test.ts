/**
 * Checkpointed runs through the bundled CLI (as test/cli/cli.test.ts builds and starts it):
 * `mesostp run` killed with SIGKILL at seeded random points (after k block files, plus a random
 * delay), then continued with --resume, ends with the bytes of an uninterrupted run, for every
 * engine and both recording modes; shards merged by `mesostp merge` equal the single run; folders
 * that are not this run and shards of another run are refused.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../support/random';
import { bundledCli } from '../support/cli';
import { expectSameOutput } from '../support/runOutput';

const cli = bundledCli('cli-checkpoint-');
const mesostp = cli.mesostp;
const bundle = cli.bundle;

/** The same kill points on every run of the test. */
const random = mulberry32;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function blockCount(dir: string): number {
  const blocks = join(dir, 'blocks');
  return existsSync(blocks) ? readdirSync(blocks).filter((n) => /^block-\d+\.bin$/.test(n)).length : 0;
}

/** Starts `mesostp run`, waits until `dir` holds `after` block files and `delayMs` more, and kills it with SIGKILL; true when the kill landed. */
async function killedRun(args: string[], dir: string, after: number, delayMs: number): Promise<{ killed: boolean; stderr: string }> {
  const child = spawn(process.execPath, [bundle(), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let exited = false;
  const exit = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => {
      exited = true;
      resolve(signal);
    }),
  );
  while (!exited && blockCount(dir) < after) await sleep(2);
  if (!exited && delayMs > 0) await sleep(delayMs);
  if (!exited) child.kill('SIGKILL');
  return { killed: (await exit) === 'SIGKILL', stderr };
}

interface Case {
  name: string;
  args: string[];
  blocks: number;
  kills: number;
  /** Blocks left unstarted at the latest kill point: the margin that keeps a kill from coming after the run ended. */
  margin: number;
  maxDelayMs: number;
}

const demo = ['run', 'scenarios/demo.json'];
const statsArgs = ['--record', 'stats', '--keep-trials', '3'];
const CASES: Case[] = [
  { name: 'micro-cpu', args: [...demo, '--trials', '24', '--duration', '0.5', '--block-trials', '2'], blocks: 12, kills: 5, margin: 3, maxDelayMs: 40 },
  {
    name: 'micro-cpu-stats-threads',
    // Worker threads start again for each block: fewer, longer blocks.
    args: [...demo, '--trials', '12', '--duration', '0.5', '--block-trials', '2', '--threads', '2', ...statsArgs],
    blocks: 6,
    kills: 5,
    margin: 2,
    maxDelayMs: 40,
  },
  {
    name: 'meso',
    args: [...demo, '--level', 'meso', '--trials', '24', '--duration', '0.5', '--block-trials', '2'],
    blocks: 12,
    kills: 4,
    margin: 3,
    maxDelayMs: 40,
  },
  {
    name: 'meso-stats',
    args: [...demo, '--level', 'meso', '--trials', '24', '--duration', '0.5', '--block-trials', '2', ...statsArgs],
    blocks: 12,
    kills: 2,
    margin: 3,
    maxDelayMs: 40,
  },
  {
    name: 'macro',
    args: [...demo, '--level', 'macro', '--trials', '8', '--duration', '0.5', '--block-trials', '1'],
    blocks: 8,
    kills: 2,
    margin: 3,
    maxDelayMs: 60,
  },
  {
    name: 'micro-gpu-stats',
    args: [...demo, '--level', 'micro-gpu', '--trials', '8', '--duration', '0.2', '--block-trials', '1', ...statsArgs],
    blocks: 8,
    kills: 3,
    margin: 2,
    maxDelayMs: 150,
  },
  {
    name: 'micro-gpu',
    args: [...demo, '--level', 'micro-gpu', '--trials', '4', '--duration', '0.1', '--block-trials', '1'],
    blocks: 4,
    kills: 2,
    margin: 1,
    maxDelayMs: 200,
  },
];

describe('mesostp run --resume after SIGKILL', () => {
  const rng = random(21);
  let landed = 0;
  for (const c of CASES) {
    it(`${c.name}: ${c.kills} kills at random points, then --resume: the bytes of an uninterrupted run`, async () => {
      const ref = join(cli.dir, `${c.name}-ref`);
      const whole = await mesostp([...c.args, '--out', ref]);
      expect(whole.code, whole.stderr).toBe(0);
      expect(blockCount(ref)).toBe(c.blocks);
      const dir = join(cli.dir, `${c.name}-killed`);
      const points: string[] = [];
      for (let i = 0; i < c.kills; i++) {
        const done = blockCount(dir);
        const after = Math.min(c.blocks - c.margin, done + Math.floor(rng() * 3));
        const delay = Math.floor(rng() * c.maxDelayMs);
        const r = await killedRun([...c.args, '--out', dir, ...(i > 0 ? ['--resume'] : [])], dir, Math.max(done, after), delay);
        points.push(`${Math.max(done, after)} blocks + ${delay} ms → ${blockCount(dir)} blocks`);
        expect(r.killed, `kill ${i} (${points[i]}) came after the run ended: ${r.stderr}`).toBe(true);
        expect(existsSync(join(dir, 'summary.json'))).toBe(false);
        landed++;
      }
      const resumed = await mesostp([...c.args, '--out', dir, '--resume']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(blockCount(dir)).toBe(c.blocks);
      expectSameOutput(ref, dir);
      console.log(`[checkpoint] ${c.name}: killed at ${points.join('; ')}`);
    }, 120_000);
  }
  it('landed at least 20 kills', () => expect(landed).toBeGreaterThanOrEqual(20));
});

describe('mesostp run --shard and mesostp merge', () => {
  const args = [...demo, '--trials', '24', '--duration', '0.2', '--block-trials', '2'];
  it('three shards merged are the single run; other seeds, missing blocks and non-empty folders are refused', async () => {
    const single = join(cli.dir, 'shard-single');
    expect((await mesostp([...args, '--out', single])).code).toBe(0);
    const shards = [1, 2, 3].map((k) => join(cli.dir, `shard-${k}`));
    for (const [k, dir] of shards.entries()) {
      const r = await mesostp([...args, '--shard', `${k + 1}/3`, '--out', dir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`shard ${k + 1}/3: 4 block\\(s\\) run`));
      expect(existsSync(join(dir, 'summary.json'))).toBe(false);
    }
    const merged = join(cli.dir, 'shard-merged');
    const m = await mesostp(['merge', merged, ...shards]);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout).toMatch(/12 block\(s\) of 3 folder\(s\) merged: 24 trial\(s\)/);
    expectSameOutput(single, merged);
    // The merged folder is a whole run: resumable, and refused without --resume.
    const again = await mesostp([...args, '--out', merged]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/a run of this scenario is in .*shard-merged \(12 of 12 block\(s\) saved\): --resume continues it, --force starts over/);

    const missing = await mesostp(['merge', join(cli.dir, 'shard-missing'), shards[0], shards[2]]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/blocks 1, 4, 7, 10 of the 12 blocks \(0–11\) are missing/);
    const otherSeed = join(cli.dir, 'shard-seed');
    expect((await mesostp([...args, '--seed', '8', '--shard', '2/3', '--out', otherSeed])).code).toBe(0);
    const seed = await mesostp(['merge', join(cli.dir, 'shard-bad'), shards[0], otherSeed, shards[2]]);
    expect(seed.code).toBe(1);
    expect(seed.stderr).toMatch(/shard-seed is not a shard of the run in .*shard-1: seed 1 in .*shard-1, 8 in .*shard-seed/);
    const full = await mesostp(['merge', single, ...shards]);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/shard-single is not empty: choose a new or empty folder, or --force/);
    expect(existsSync(join(cli.dir, 'shard-missing'))).toBe(false);
  }, 60_000);

  it('--out that holds another run or other files is refused, naming what differs; --force replaces it', async () => {
    const dir = join(cli.dir, 'refuse');
    expect((await mesostp([...args, '--out', dir])).code).toBe(0);
    const seed = await mesostp([...args, '--seed', '4', '--out', dir]);
    expect(seed.code).toBe(1);
    expect(seed.stderr).toMatch(/refuse holds another run \(seed 1 in .*refuse, 4 here\): choose a new or empty --out, or --force to replace it/);
    const level = await mesostp([...args, '--level', 'meso', '--resume', '--out', dir]);
    expect(level.code).toBe(1);
    expect(level.stderr).toMatch(/level "micro-cpu" in .*refuse, "meso" here/);
    const forced = await mesostp([...args, '--seed', '4', '--force', '--out', dir]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).seed).toBe(4);
    const other = join(cli.dir, 'refuse-other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    const r = await mesostp([...args, '--out', other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refuse-other holds files that are not a mesostp run \(no manifest\.json\): choose a new or empty --out, or --force/);
    expect(readFileSync(join(other, 'notes.txt'), 'utf8')).toBe('mine');
    const f = await mesostp([...args, '--out', other, '--force']);
    expect(f.code, f.stderr).toBe(0);
    expect(existsSync(join(other, 'notes.txt'))).toBe(false);
  }, 60_000);
});

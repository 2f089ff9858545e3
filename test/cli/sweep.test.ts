/**
 * `mesostp sweep` through the bundled CLI (as test/cli/checkpoint.test.ts builds and starts it): a
 * sweep over two parameters of the V2 scenario, 2 × 2 points. Each point's files equal a
 * separate `mesostp run` of the scenario with its values set; the table holds the points'
 * summaries; shards (one after another, and at the same time) then --table-only give the bytes
 * of the unsharded sweep; a sweep killed with SIGKILL or stopped with Ctrl-C and continued with
 * --resume gives them too; refusals name the argument, the point and the difference.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledCli } from '../support/cli';

const cli = bundledCli('cli-sweep-');
const mesostp = cli.mesostp;

const SCENARIO = 'scenarios/v2-feedforward-depression.json';
const VARY = ['--vary', 'projections[0].stp.U=0.2:0.6:2', '--vary', 'projections[0].weight=0.3,0.6'];
const SMALL = ['--trials', '4', '--duration', '0.3', '--block-trials', '2'];
const sweepArgs = (out: string, ...more: string[]) => ['sweep', SCENARIO, ...VARY, ...SMALL, ...more, '--out', out];
const POINTS = [
  [0.2, 0.3],
  [0.2, 0.6],
  [0.6, 0.3],
  [0.6, 0.6],
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** summary.json without the fields that time the run. */
function untimed(dir: string) {
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  delete s.wallSeconds;
  delete s.engine.setupSeconds;
  delete s.engine.peakHostBytes;
  return s;
}

const npyFiles = (d: string) =>
  readdirSync(d)
    .filter((n) => n.endsWith('.npy'))
    .sort();

/** Two run folders hold the same output: every .npy byte for byte, summary.json but for timings. */
function expectSameRun(a: string, b: string) {
  expect(npyFiles(b)).toEqual(npyFiles(a));
  expect(npyFiles(a).length).toBeGreaterThan(10);
  for (const f of npyFiles(a)) expect(Buffer.compare(readFileSync(join(a, f)), readFileSync(join(b, f))), `${b}/${f}`).toBe(0);
  expect(untimed(b)).toEqual(untimed(a));
}

/** The files a complete sweep writes besides its points, byte for byte. */
function expectSameTable(a: string, b: string) {
  for (const f of ['sweep.csv', 'sweep.json']) expect(readFileSync(join(b, f), 'utf8'), f).toBe(readFileSync(join(a, f), 'utf8'));
  expect(readdirSync(join(b, 'figures')).sort()).toEqual(readdirSync(join(a, 'figures')).sort());
  for (const f of readdirSync(join(a, 'figures'))) expect(readFileSync(join(b, 'figures', f), 'utf8'), f).toBe(readFileSync(join(a, 'figures', f), 'utf8'));
}

function parseCsv(text: string): string[][] {
  // The table's names hold no commas or quotes here.
  return text
    .trimEnd()
    .split('\n')
    .map((l) => l.split(','));
}

describe('mesostp sweep over two parameters', () => {
  it('runs every point as mesostp run would, and tabulates the points’ summaries', async () => {
    const dir = join(cli.dir, 'whole');
    const r = await mesostp(sweepArgs(dir));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/the sweep: 4 point\(s\) run; every point of 4 complete: wrote .*sweep\.csv/);
    expect(r.stderr).toMatch(/point 003 \(4 of 4\): projections\[0\]\.stp\.U=0\.6, projections\[0\]\.weight=0\.6/);
    expect(readdirSync(join(dir, 'points'))).toEqual(['000', '001', '002', '003']);

    // (a) each point is the run of the scenario with its values set (same seed for every point).
    const base = JSON.parse(readFileSync(SCENARIO, 'utf8'));
    for (const [p, [U, w]] of POINTS.entries()) {
      const scenario = structuredClone(base);
      scenario.projections[0].stp.U = U;
      scenario.projections[0].weight = w;
      const file = join(cli.dir, `point-${p}.json`);
      writeFileSync(file, JSON.stringify(scenario));
      const ref = join(cli.dir, `point-${p}-run`);
      const run = await mesostp(['run', file, ...SMALL, '--out', ref]);
      expect(run.code, run.stderr).toBe(0);
      const point = join(dir, 'points', `00${p}`);
      expectSameRun(ref, point);
      expect(readFileSync(join(point, 'manifest.json'), 'utf8')).toBe(readFileSync(join(ref, 'manifest.json'), 'utf8'));
    }
    const seeds = POINTS.map((_, p) => untimed(join(dir, 'points', `00${p}`)).seed);
    expect(new Set(seeds)).toEqual(new Set([base.run.seed]));

    // (b) the table: one row per point and population, input and STP projection, every quantity and its s.e.
    const [header, ...rows] = parseCsv(readFileSync(join(dir, 'sweep.csv'), 'utf8'));
    expect(header).toEqual([
      'point',
      'projections[0].stp.U',
      'projections[0].weight',
      'kind',
      'name',
      'rateHz',
      'rateHz_sem',
      'mean',
      'mean_sem',
      'sd',
      'sd_sem',
      'populationMean',
      'populationMean_sem',
      'populationSd',
      'populationSd_sem',
      'u',
      'u_sem',
      'x',
      'x_sem',
    ]);
    expect(rows).toHaveLength(4 * (3 + 2 + 2));
    const col = (row: string[], name: string) => row[header.indexOf(name)];
    const text = (x: number | null) => (x === null ? '' : String(x));
    const json = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8'));
    expect(json.rows).toHaveLength(rows.length);
    for (const [p, [U, w]] of POINTS.entries()) {
      const s = JSON.parse(readFileSync(join(dir, 'points', `00${p}`, 'summary.json'), 'utf8'));
      const mine = rows.filter((r) => r[0] === String(p));
      expect(mine.map((r) => `${col(r, 'kind')} ${col(r, 'name')}`)).toEqual([
        'population pre',
        'population post_all',
        'population post_c40',
        'input post_all',
        'input post_c40',
        'stp pre->post_all',
        'stp pre->post_c40',
      ]);
      for (const r of mine) {
        expect([col(r, 'projections[0].stp.U'), col(r, 'projections[0].weight')]).toEqual([String(U), String(w)]);
        const name = col(r, 'name');
        const expected: Record<string, string> =
          col(r, 'kind') === 'population'
            ? { rateHz: text(s.populations[name].rateHz), rateHz_sem: text(s.populations[name].rateHzSem) }
            : col(r, 'kind') === 'input'
              ? {
                  mean: text(s.inputs[name].mean),
                  mean_sem: text(s.inputs[name].meanSem),
                  sd: text(s.inputs[name].sd),
                  sd_sem: '',
                  populationMean: text(s.inputs[name].populationMean.mean),
                  populationMean_sem: text(s.inputs[name].populationMean.meanSem),
                  populationSd: text(s.inputs[name].populationMean.sd),
                }
              : { u: text(s.stp[name].u), u_sem: text(s.stpSem[name].u), x: text(s.stp[name].x), x_sem: text(s.stpSem[name].x) };
        for (const [c, v] of Object.entries(expected)) expect(col(r, c), `point ${p} ${name} ${c}`).toBe(v);
        // Every other quantity of the row's kind is empty; a standard error is there whenever the summary has one.
        expect(col(r, 'rateHz') === '').toBe(col(r, 'kind') !== 'population');
        const jsonRow = json.rows[rows.indexOf(r)];
        for (const c of header) expect(jsonRow[c] === null ? '' : String(jsonRow[c]), c).toBe(col(r, c));
      }
      expect(s.populations.post_all.rateHzSem).toBeGreaterThan(0);
    }
    expect(json).toMatchObject({ format: 'mesostp-sweep-table/1', scenario: 'v2-feedforward-depression', level: 'micro-cpu', trials: 4, duration: 0.3 });
    const figures = readdirSync(join(dir, 'figures')).sort();
    expect(figures).toEqual([
      'input-mean.svg',
      'input-populationMean.svg',
      'input-populationSd.svg',
      'input-sd.svg',
      'population-rateHz.svg',
      'stp-u.svg',
      'stp-x.svg',
    ]);
    const rate = readFileSync(join(dir, 'figures', 'population-rateHz.svg'), 'utf8');
    expect(rate).toContain('>projections[0].stp.U</text>');
    expect(rate).toContain('>population rateHz (Hz)</text>');
    expect(rate).toContain('>post_all, weight=0.6</text>');

    // (c) shards, one after another: the table appears with the last one; --table-only before that names the missing points.
    const sharded = join(cli.dir, 'sharded');
    const s1 = await mesostp(sweepArgs(sharded, '--shard', '1/2'));
    expect(s1.code, s1.stderr).toBe(0);
    expect(s1.stdout).toMatch(/shard 1\/2: 2 point\(s\) run; 2 of 4 point\(s\) complete/);
    expect(existsSync(join(sharded, 'sweep.csv'))).toBe(false);
    expect(readdirSync(join(sharded, 'points'))).toEqual(['000', '002']);
    const early = await mesostp(sweepArgs(sharded, '--table-only'));
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(
      '2 of 4 point(s) are not complete in ' +
        `${sharded}: 001 (projections[0].stp.U=0.2, projections[0].weight=0.6), 003 (projections[0].stp.U=0.6, projections[0].weight=0.6)`,
    );
    const again = await mesostp(sweepArgs(sharded, '--shard', '1/2'));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/shard 1\/2 of this sweep has run in .*sharded already \(points 000 .*, 002 .*\): --resume continues it/);
    const s2 = await mesostp(sweepArgs(sharded, '--shard', '2/2'));
    expect(s2.code, s2.stderr).toBe(0);
    expect(s2.stdout).toMatch(/shard 2\/2: 2 point\(s\) run; every point of 4 complete: wrote/);
    expectSameTable(dir, sharded);
    for (const p of ['000', '001', '002', '003']) expectSameRun(join(dir, 'points', p), join(sharded, 'points', p));

    // Shards at the same time into one folder (as SLURM array tasks), then --table-only.
    const together = join(cli.dir, 'together');
    const both = await Promise.all(['1/2', '2/2'].map((k) => mesostp(sweepArgs(together, '--shard', k, '--resume'))));
    for (const b of both) expect(b.code, b.stderr).toBe(0);
    const table = await mesostp(sweepArgs(together, '--table-only'));
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/4 point\(s\); wrote .*sweep\.csv, .*sweep\.json and 7 figure\(s\)/);
    expectSameTable(dir, together);
    expect(readFileSync(join(together, 'manifest.json'), 'utf8')).toBe(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  }, 90_000);

  it('continues a sweep killed with SIGKILL, or stopped with Ctrl-C, with --resume: the same bytes', async () => {
    const more = ['--trials', '6', '--block-trials', '1'];
    const ref = join(cli.dir, 'kill-ref');
    const whole = await mesostp(sweepArgs(ref, ...more));
    expect(whole.code, whole.stderr).toBe(0);

    /** Starts the sweep, waits for block `block` of point `point`, sends `signal`; the exit code or signal. */
    const interrupted = async (dir: string, point: string, block: number, signal: NodeJS.Signals, resume: boolean) => {
      const child = spawn(process.execPath, [cli.bundle(), ...sweepArgs(dir, ...more, ...(resume ? ['--resume'] : []))], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      let exited = false;
      const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, sig) => {
          exited = true;
          resolve({ code, signal: sig });
        }),
      );
      const file = join(dir, 'points', point, 'blocks', `block-${String(block).padStart(6, '0')}.bin`);
      while (!exited && !existsSync(file)) await sleep(2);
      if (!exited) child.kill(signal);
      return { ...(await exit), output };
    };

    const dir = join(cli.dir, 'killed');
    const killed = await interrupted(dir, '001', 0, 'SIGKILL', false);
    expect(killed.signal, `the kill came after the sweep ended: ${killed.output}`).toBe('SIGKILL');
    expect(existsSync(join(dir, 'points', '001', 'summary.json'))).toBe(false);
    expect(existsSync(join(dir, 'sweep.csv'))).toBe(false);
    const refused = await mesostp(sweepArgs(dir, ...more));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/a sweep of this scenario is in .*killed \(1 of 4 point\(s\) complete\): --resume continues it, --force starts over/);

    // Ctrl-C in the middle of point 002: exit status 130, what was saved is kept.
    const stopped = await interrupted(dir, '002', 1, 'SIGINT', true);
    expect(stopped.code, stopped.output).toBe(130);
    expect(stopped.output).toMatch(/point 001 \(2 of 4\): .*: resuming, \d of 6 block\(s\) already saved/);
    expect(stopped.output).toMatch(/cancelled after \d point\(s\) run \(1 already complete\); saved blocks are kept: --resume continues it/);
    expect(existsSync(join(dir, 'points', '002', 'summary.json'))).toBe(false);
    expect(existsSync(join(dir, 'points', '002', 'blocks', 'block-000001.bin'))).toBe(true);

    const resumed = await mesostp(sweepArgs(dir, ...more, '--resume'));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/the sweep: 2 point\(s\) run, 2 already complete; every point of 4 complete/);
    for (const p of ['000', '001', '002', '003']) expectSameRun(join(ref, 'points', p), join(dir, 'points', p));
    expectSameTable(ref, dir);
  }, 90_000);

  it('refuses a bad path, an invalid point, and a folder that holds something else, naming each', async () => {
    const dir = join(cli.dir, 'refusals');
    const badPath = await mesostp(['sweep', SCENARIO, '--vary', 'projections[0].stp.tauX=0.1,0.2', ...SMALL, '--out', dir]);
    expect(badPath.code).toBe(2);
    expect(badPath.stderr).toContain(
      'mesostp sweep: --vary projections[0].stp.tauX=0.1,0.2: the scenario has no field projections[0].stp.tauX (projections[0].stp has model, U, U0, tauD, tauF)',
    );
    const malformed = await mesostp(['sweep', SCENARIO, '--vary', 'projections[0].stp.U=0.1:0.5', ...SMALL, '--out', dir]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(
      /--vary projections\[0\]\.stp\.U=0\.1:0\.5: "0\.1:0\.5" is neither FROM:TO:COUNT nor FROM:TO:COUNT:log; expected PATH=FROM:TO:COUNT/,
    );
    const invalid = await mesostp(['sweep', SCENARIO, '--vary', 'projections[0].stp.U=0.5,1.5', ...SMALL, '--out', dir]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('point 001 (projections[0].stp.U=1.5): projections[0].stp.U: must be ≤ 1 (U is a utilisation in (0, 1]), got 1.5');
    expect(invalid.stderr).not.toContain('point 000');
    expect(existsSync(dir)).toBe(false);

    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const other = await mesostp(sweepArgs(dir));
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/refusals holds files that are not a mesostp sweep \(no manifest\.json of a sweep\): choose a new or empty --out, or --force/);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');

    const run = await mesostp(['run', SCENARIO, ...SMALL, '--out', join(cli.dir, 'a-run')]);
    expect(run.code, run.stderr).toBe(0);
    const onRun = await mesostp(sweepArgs(join(cli.dir, 'a-run')));
    expect(onRun.code).toBe(1);
    expect(onRun.stderr).toMatch(/a-run holds a mesostp run \(manifest\.json of mesostp run\), not a sweep/);

    const one = ['--vary', 'projections[0].stp.U=0.2,0.4'];
    const forced = await mesostp(['sweep', SCENARIO, ...one, ...SMALL, '--out', dir, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(false);
    const otherSweep = await mesostp(['sweep', SCENARIO, ...one, ...SMALL, '--seed', '5', '--level', 'meso', '--out', dir, '--resume']);
    expect(otherSweep.code).toBe(1);
    expect(otherSweep.stderr).toMatch(
      /refusals holds another sweep \(seed 20200501 in .*refusals, 5 here; level "micro-cpu" in .*refusals, "meso" here; options .*\): choose a new or empty --out, or --force/,
    );
    const otherGrid = await mesostp(['sweep', SCENARIO, '--vary', 'projections[0].stp.U=0.2,0.5', ...SMALL, '--out', dir, '--table-only']);
    expect(otherGrid.code).toBe(1);
    expect(otherGrid.stderr).toMatch(
      /holds another sweep \(--vary projections\[0\]\.stp\.U=0\.2,0\.4 in .*refusals, --vary projections\[0\]\.stp\.U=0\.2,0\.5 here\): give the arguments of the sweep that ran there/,
    );
    const forceShard = await mesostp(['sweep', SCENARIO, ...one, ...SMALL, '--out', dir, '--force', '--shard', '1/2']);
    expect(forceShard.code).toBe(2);
    expect(forceShard.stderr).toMatch(/--force with --shard: the shards of a sweep share DIR/);
    const noTable = await mesostp(['sweep', SCENARIO, ...one, ...SMALL, '--out', join(cli.dir, 'nothing'), '--table-only']);
    expect(noTable.code).toBe(1);
    expect(noTable.stderr).toMatch(/nothing holds no sweep \(no manifest\.json of a sweep\): run the sweep first/);
  }, 60_000);
});

/**
 * The `mesostp` command as a user runs it: the Vite-bundled CLI (built here into a temporary
 * folder, exactly as `npm run build:cli` does) started in a child process.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/io/npy';
import { bundledCli } from '../support/cli';

const cli = bundledCli('cli-');
const mesostp = cli.mesostp;

describe('mesostp CLI', () => {
  it('--help lists the commands', async () => {
    const r = await mesostp(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: mesostp <command>/);
    expect(r.stdout).toMatch(/\binfo\b/);
  });

  it('rejects an unknown command with exit status 2 and the usage', async () => {
    const r = await mesostp(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('info names the adapter, its limits, and passes the compute check', async () => {
    const r = await mesostp(['info']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^adapter\s+\S/m);
    expect(r.stdout).toMatch(/feature level\s+(core|compatibility)/);
    expect(r.stdout).toMatch(/maxStorageBufferBindingSize\s+[\d,]+/);
    expect(r.stdout).toMatch(/compute check\s+passed/);
    console.log(`[mesostp] CLI info reports: ${r.stdout.split('\n')[0].replace(/^adapter\s+/, '')}`);
  });

  it('info --json is machine-readable', async () => {
    const r = await mesostp(['info', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.ok).toBe(true);
    expect(parsed.adapter.limits.maxComputeWorkgroupsPerDimension).toBeGreaterThanOrEqual(65535);
  });

  it('check describes a valid preset and exits 0', async () => {
    const r = await mesostp(['check', 'scenarios/demo.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^demo: .*Populations: .*Projections: .*Run: 10 trial\(s\)/);
  });

  it('check lists every problem of a bad scenario and exits 1', async () => {
    const bad = join(cli.dir, 'bad.json');
    const s = JSON.parse(readFileSync('scenarios/demo.json', 'utf8'));
    s.populations.neurons.tauM = -1;
    s.projections[0].stp.U = 2;
    writeFileSync(bad, JSON.stringify(s));
    const r = await mesostp(['check', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/2 problem\(s\)/);
    expect(r.stderr).toMatch(/populations\.neurons\.tauM: must be > 0/);
    expect(r.stderr).toMatch(/projections\[0\]\.stp\.U: must be ≤ 1/);
  });

  it('schema prints the JSON Schema of scenario files, --out writes it, and a bad option exits 2', async () => {
    const r = await mesostp(['schema']);
    expect(r.code, r.stderr).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.$id).toBe('urn:mesostp:scenario');
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema, 'the committed copy is current').toEqual(JSON.parse(readFileSync('scenarios/scenario.schema.json', 'utf8')));
    const file = join(cli.dir, 'schema', 'scenario.schema.json');
    const w = await mesostp(['schema', '--out', file]);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toMatch(/^wrote .*scenario\.schema\.json$/m);
    expect(readFileSync(file, 'utf8')).toBe(r.stdout);
    const bad = await mesostp(['schema', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/mesostp schema: Unknown option '--bogus'/);
    expect(bad.stderr).toMatch(/mesostp schema \[--out FILE\]/);
    expect((await mesostp(['schema', 'extra'])).code).toBe(2);
  });

  it('info without a usable adapter exits 2 and says what to install', async () => {
    // A backend that does not exist on this platform: Dawn finds no adapter.
    const r = await mesostp(['info'], { MESOSTP_GPU_BACKEND: process.platform === 'win32' ? 'metal' : 'd3d12' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/found no WebGPU adapter/);
    expect(r.stderr).toMatch(/install-system-deps\.sh/);
  });
});

/** summary.json and every .npy file it lists, decoded. */
function readOutputs(dir: string) {
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  const arrays: Record<string, { data: ArrayLike<number>; shape: number[] }> = {};
  for (const [key, file] of Object.entries(summary.files as Record<string, string>)) arrays[key] = decodeNpy(new Uint8Array(readFileSync(join(dir, file))));
  return { summary, arrays };
}

describe('mesostp run', () => {
  it('writes summary.json with the documented keys and .npy arrays numpy can read', async () => {
    const dir = join(cli.dir, 'run-demo');
    const r = await mesostp(['run', 'scenarios/demo.json', '--trials', '3', '--duration', '0.5', '--seed', '7', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/demo: 3 trial\(s\) × 0.5 s at micro-cpu/);
    const { summary, arrays } = readOutputs(dir);
    expect(summary).toMatchObject({ scenario: 'demo', level: 'micro-cpu', trials: 3, duration: 0.5, dt: 0.0005, seed: 7, cancelled: false });
    expect(summary.wallSeconds).toBeGreaterThan(0);
    for (const pop of ['input', 'neurons']) {
      expect(Number.isFinite(summary.populations[pop].rateHz)).toBe(true);
      expect(summary.populations[pop].rateHzSem).toBeGreaterThan(0);
    }
    // The Poisson input fires at (1 − e^{−r dt})/dt ≈ 19.9 Hz; 3 × 200 neurons × 0.5 s give ≈ 6000 spikes.
    expect(Math.abs(summary.populations.input.rateHz - 19.9)).toBeLessThan(5 * summary.populations.input.rateHzSem);
    expect(summary.inputs.neurons.mean).toBeGreaterThan(0);
    expect(summary.inputs.neurons.sd).toBeGreaterThan(0);
    // The files on disk are exactly those summary.files lists, beside the checkpoint (docs/cli.md, "Checkpoints, resume and shards").
    expect(readdirSync(dir).sort()).toEqual(['blocks', 'manifest.json', 'summary.json', ...Object.values(summary.files as Record<string, string>)].sort());
    const bins = 0.5 / 0.005;
    expect(arrays['activity.neurons'].shape).toEqual([3, bins]);
    expect(arrays['inputs.neurons.sampled'].shape).toEqual([3, 3, bins]);
    expect(arrays['stp.input->neurons.x'].shape).toEqual([3, bins]);
    // The activity file holds the rate summary.json reports.
    const a = arrays['activity.input'].data;
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += a[i];
    expect(sum / a.length).toBeCloseTo(summary.populations.input.rateHz, 9);
    const spikeTimes = arrays['spikes.neurons.time'].data;
    for (let i = 0; i < spikeTimes.length; i++) expect(spikeTimes[i] >= 0 && spikeTimes[i] < 0.5).toBe(true);
  });

  it('runs every preset of scenarios/ (shortened) and writes its arrays', async () => {
    const presets = readdirSync('scenarios').filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));
    expect(presets.length).toBeGreaterThanOrEqual(7);
    for (const file of presets) {
      const dir = join(cli.dir, `preset-${file}`);
      const r = await mesostp(['run', join('scenarios', file), '--trials', '2', '--duration', '0.2', '--out', dir]);
      expect(r.code, `${file}: ${r.stderr}`).toBe(0);
      const { summary, arrays } = readOutputs(dir);
      expect(summary.completedDuration).toBeCloseTo(0.2, 12);
      for (const [key, a] of Object.entries(arrays)) {
        expect(
          a.shape.reduce((p, n) => p * n, 1),
          `${file} ${key}`,
        ).toBe(a.data.length);
        for (let i = 0; i < a.data.length; i++) if (!Number.isFinite(a.data[i])) throw new Error(`${file} ${key}[${i}] = ${a.data[i]}`);
      }
    }
  }, 120_000);

  it.each(['micro-cpu', 'meso'])('%s: trials split over 2 worker threads give the same arrays as 1 thread, bit for bit', async (level) => {
    const one = join(cli.dir, `${level}-threads-1`);
    const two = join(cli.dir, `${level}-threads-2`);
    for (const [dir, k] of [
      [one, '1'],
      [two, '2'],
    ]) {
      // One block of 5 trials (the default, ceil(5 / 16) = 1 trial per block, leaves one thread nothing to do).
      const r = await mesostp([
        'run',
        'scenarios/v2-feedforward-depression.json',
        '--trials',
        '5',
        '--duration',
        '0.3',
        '--block-trials',
        '5',
        '--level',
        level,
        '--threads',
        k,
        '--out',
        dir,
      ]);
      expect(r.code, r.stderr).toBe(0);
    }
    const a = readOutputs(one);
    const b = readOutputs(two);
    expect(b.summary.engine.threads).toBe(2);
    expect(Object.keys(b.arrays).sort()).toEqual(Object.keys(a.arrays).sort());
    for (const key of Object.keys(a.arrays))
      expect(Buffer.compare(readFileSync(join(one, a.summary.files[key])), readFileSync(join(two, b.summary.files[key]))), key).toBe(0);
  });

  it('--record stats over 2 worker threads: the statistics of --record trials, the arrays of the first --keep-trials trials', async () => {
    const trials = join(cli.dir, 'record-trials');
    const stats = join(cli.dir, 'record-stats');
    const v2 = ['run', 'scenarios/v2-feedforward-depression.json', '--trials', '6', '--duration', '0.2'];
    const a = await mesostp([...v2, '--record', 'trials', '--out', trials]);
    expect(a.code, a.stderr).toBe(0);
    const b = await mesostp([...v2, '--record', 'stats', '--keep-trials', '2', '--threads', '2', '--out', stats]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/6 trial\(s\) × 0.2 s at micro-cpu, statistics over trials \(arrays of 2 kept\)/);
    const all = readOutputs(trials);
    const st = readOutputs(stats);
    expect(all.summary.record).toEqual({ trials: 'all', keptTrials: 6 });
    expect(st.summary.record).toEqual({ trials: 'stats', keptTrials: 2 });
    expect(Object.keys(st.summary.files).sort()).toEqual(Object.keys(all.summary.files).sort());
    const bins = 200;
    expect(st.arrays['activity.pre'].shape).toEqual([2, bins]);
    expect(st.arrays['inputs.post_all.sampled'].shape).toEqual([2, 2, bins]);
    expect(st.arrays['stats.inputs.post_all.sampled.m2'].shape).toEqual([2, bins]);
    expect(Array.from(st.arrays['stp.pre->post_all.x'].data)).toEqual(Array.from(all.arrays['stp.pre->post_all.x'].data).slice(0, 2 * bins));
    // Two workers merged by Chan's update against one pass over the 6 trials' arrays: equal to rounding.
    for (const key of Object.keys(all.arrays).filter((k) => k.startsWith('stats.'))) {
      const x = all.arrays[key].data;
      const y = st.arrays[key].data;
      const scale = Math.max(1e-30, ...Array.from(x, Math.abs));
      for (let i = 0; i < x.length; i++) expect(Math.abs(y[i] - x[i]), `${key}[${i}]`).toBeLessThanOrEqual(1e-12 * scale);
    }
    // The written statistics are the arrays' own: the trial mean of activity.pre, bin by bin.
    const act = all.arrays['activity.pre'].data;
    const mean = all.arrays['stats.activity.pre.mean'].data;
    for (const k of [0, 57, 199]) expect(mean[k]).toBeCloseTo(Array.from({ length: 6 }, (_, t) => act[t * bins + k]).reduce((p, q) => p + q, 0) / 6, 9);
    expect(st.summary.populations.pre.rateHz).toBeCloseTo(all.summary.populations.pre.rateHz, 9);
    expect(st.summary.populations.pre.rateHzSem).toBeCloseTo(all.summary.populations.pre.rateHzSem, 9);
    expect(st.summary.inputs.post_all.sd).toBeCloseTo(all.summary.inputs.post_all.sd, 9);
  });

  it('refuses at once a run whose recording cannot fit, with the numbers and --record stats', async () => {
    const dir = join(cli.dir, 'too-big');
    for (const args of [
      ['--trials', '100000000'],
      ['--trials', '2000000', '--level', 'micro-gpu'],
    ]) {
      const started = Date.now();
      const r = await mesostp(['run', 'scenarios/v2-feedforward-depression.json', ...args, '--out', dir]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/mesostp run: the recording needs about [\d.]+ [kMGTP]?B of host memory \(\d+ trial\(s\) × 13 series × 1500 bins in float64/);
      expect(r.stderr).toMatch(/Instead: run with --record stats \(record\.trials: "stats"\), which keeps per-bin trial means and variances in about 936 kB/);
      expect(Date.now() - started).toBeLessThan(20_000);
    }
    const bad = await mesostp(['run', 'scenarios/demo.json', '--record', 'some', '--out', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--record some is not a recording mode; choose trials .* or stats/);
  });

  it('--level micro-gpu, meso and macro write the same files and summary keys as micro-cpu', async () => {
    const dirs: Record<string, string> = {};
    for (const level of ['micro-cpu', 'micro-gpu', 'meso', 'macro']) {
      dirs[level] = join(cli.dir, `levels-${level}`);
      const r = await mesostp([
        'run',
        'scenarios/v2-feedforward-depression.json',
        '--level',
        level,
        '--trials',
        '4',
        '--duration',
        '0.3',
        '--out',
        dirs[level],
      ]);
      expect(r.code, `${level}: ${r.stderr}`).toBe(0);
      if (level === 'meso' || level === 'macro') expect(r.stdout).toContain(`at ${level} (STP mean-field age)`);
    }
    const micro = readOutputs(dirs['micro-cpu']);
    for (const level of ['meso', 'macro']) {
      const other = readOutputs(dirs[level]);
      expect(other.summary.level).toBe(level);
      // The default mean-field, and the printed line says so.
      expect(other.summary.engine.stpMeanField).toBe('age');
      expect(Object.keys(other.summary.files).sort()).toEqual(Object.keys(micro.summary.files).sort());
      for (const key of Object.keys(micro.arrays)) expect(other.arrays[key].shape, `${level} ${key}`).toEqual(micro.arrays[key].shape);
      expect(Object.keys(other.summary.populations).sort()).toEqual(Object.keys(micro.summary.populations).sort());
    }
    const gpu = readOutputs(dirs['micro-gpu']);
    expect(gpu.summary.level).toBe('micro-gpu');
    expect(gpu.summary.engine.adapter).toMatch(/\S/);
    expect(Object.keys(gpu.summary.files).sort()).toEqual(Object.keys(micro.summary.files).sort());
    for (const key of Object.keys(micro.arrays)) expect(gpu.arrays[key].shape, `micro-gpu ${key}`).toEqual(micro.arrays[key].shape);
    // Same seed, same Philox streams: the spikes of the Poisson source are the CPU engine's.
    expect(gpu.summary.populations.pre.rateHz).toBe(micro.summary.populations.pre.rateHz);
    // The N → ∞ limit has no trial-to-trial variability.
    expect(readOutputs(dirs.macro).summary.inputs.post_all.sd).toBe(0);
    const mf1 = await mesostp([
      'run',
      'scenarios/demo.json',
      '--level',
      'meso',
      '--stp',
      'mf1',
      '--trials',
      '2',
      '--duration',
      '0.2',
      '--out',
      join(cli.dir, 'levels-mf1'),
    ]);
    expect(mf1.code, mf1.stderr).toBe(0);
    expect(readOutputs(join(cli.dir, 'levels-mf1')).summary.engine.stpMeanField).toBe('mf1');
    const bad = await mesostp(['run', 'scenarios/demo.json', '--level', 'meso', '--stp', 'mf3', '--out', join(cli.dir, 'levels-bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--stp mf3 is not a mean-field order; choose mf1, mf2 or age/);
  });

  it('compare finds micro-gpu and micro-cpu in agreement and a run with twice the weight different; bad arguments exit 2', async () => {
    const base = JSON.parse(readFileSync('scenarios/v2-feedforward-depression.json', 'utf8'));
    const doubled = structuredClone(base);
    for (const p of doubled.projections) p.weight *= 2;
    const doubledFile = join(cli.dir, 'v2-doubled.json');
    writeFileSync(doubledFile, JSON.stringify(doubled));
    const args = ['--trials', '60', '--duration', '0.3'];
    const dirs = { cpu: join(cli.dir, 'cmp-cpu'), gpu: join(cli.dir, 'cmp-gpu'), doubled: join(cli.dir, 'cmp-doubled') };
    for (const [file, level, dir] of [
      ['scenarios/v2-feedforward-depression.json', 'micro-cpu', dirs.cpu],
      ['scenarios/v2-feedforward-depression.json', 'micro-gpu', dirs.gpu],
      [doubledFile, 'micro-cpu', dirs.doubled],
    ]) {
      const r = await mesostp(['run', file, ...args, '--level', level, '--out', dir], {}, 120_000);
      expect(r.code, r.stderr).toBe(0);
    }
    // Same model, same seed, two engines that draw the same numbers: they agree.
    const same = await mesostp(['compare', dirs.cpu, dirs.gpu, '--json', join(cli.dir, 'cmp.json')]);
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toMatch(/rate post_all \(Hz\)/);
    expect(same.stdout).toMatch(/Verdict: the runs agree/);
    const json = JSON.parse(readFileSync(join(cli.dir, 'cmp.json'), 'utf8'));
    expect(json.verdict).toBe('agree');
    expect(json.traces.length).toBeGreaterThan(0);
    // Twice the weight: the input means move by many standard errors.
    const differ = await mesostp(['compare', dirs.cpu, dirs.doubled]);
    expect(differ.code, differ.stdout + differ.stderr).toBe(1);
    expect(differ.stdout).toMatch(/DIFFER\s+input mean post_all/);
    expect(differ.stdout).toMatch(/Verdict: the runs differ/);
    expect((await mesostp(['compare', dirs.cpu])).code).toBe(2);
    expect((await mesostp(['compare', dirs.cpu, dirs.gpu, '--alpha', '2'])).code).toBe(2);
    const missing = await mesostp(['compare', dirs.cpu, join(cli.dir, 'no-such-run')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/summary\.json/);
  }, 240_000);

  it('export brian2 writes the script and its data folder; a scenario it cannot express exits 1 naming the field; bad arguments exit 2', async () => {
    const script = join(cli.dir, 'export', 'v2.py');
    mkdirSync(join(cli.dir, 'export'), { recursive: true });
    const r = await mesostp(['export', 'brian2', 'scenarios/v2-feedforward-depression.json', '--out', script, '--trials', '4', '--integration', 'exact']);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(script, 'utf8');
    expect(text).toMatch(/^TRIALS = 4$/m);
    expect(text).toMatch(/^INTEGRATION = "exact"$/m);
    expect(readdirSync(join(cli.dir, 'export', 'v2_data')).sort()).toEqual(['p0_post.npy', 'p0_pre.npy', 'p1_post.npy', 'p1_pre.npy', 'ta_rate_pre.npy']);
    // V2's in-degree C = 40 projection: 40 presynaptic neurons for each of the 10 targets.
    expect(decodeNpy(readFileSync(join(cli.dir, 'export', 'v2_data', 'p1_pre.npy'))).shape).toEqual([400]);
    const cond = JSON.parse(readFileSync('scenarios/v2-feedforward-depression.json', 'utf8'));
    cond.projections[0].filter = { type: 'delta' };
    cond.projections[0].output = { type: 'conductance', E: 60 };
    const condFile = join(cli.dir, 'export', 'pulse.json');
    writeFileSync(condFile, JSON.stringify(cond));
    const refused = await mesostp(['export', 'brian2', condFile, '--out', join(cli.dir, 'export', 'pulse.py')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/projections\[0\]\.filter: .*exponential filter with a short tau/);
    expect((await mesostp(['export', 'nest', 'scenarios/demo.json'])).code).toBe(2);
    expect((await mesostp(['export', 'brian2', 'scenarios/demo.json', '--integration', 'rk4'])).code).toBe(2);
  });

  it('analyze prints the synapse curves and the fixed points, and writes analysis.json and the sweep diagram', async () => {
    const dir = join(cli.dir, 'analyze-v3');
    const r = await mesostp(['analyze', 'scenarios/v3-up-down.json', '--sweep', 'populations.E.mu.value=9.8:10:3', '--stp', 'mf2', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/E->E \(depression\): stationary state against the presynaptic rate/);
    expect(r.stdout).toMatch(/fixed points of the macro equations \(STP mf2, drives at t = 0 s\): 3/);
    expect(r.stdout).toMatch(/E 3\.99\d Hz: UNSTABLE \(leading growth rate [0-9.]+\/s\), slope dF\/dr 1\.\d+/);
    const a = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8'));
    expect(a.fixedPoints).toHaveLength(3);
    expect(a.sweep.points.map((p: { fixedPoints: unknown[] }) => p.fixedPoints.length)).toEqual([3, 3, 1]);
    expect(a.synapses[0].curves.exact.length).toBeGreaterThan(10);
    expect(readFileSync(join(dir, 'sweep.svg'), 'utf8')).toMatch(/^<svg[\s\S]*>stable<\/text>[\s\S]*>unstable<\/text>[\s\S]*<\/svg>$/);
    // Without --stp, the fixed points are those of the age-resolved mean-field, the default of run.
    const byDefault = await mesostp(['analyze', 'scenarios/v3-up-down.json']);
    expect(byDefault.stdout).toMatch(/fixed points of the macro equations \(STP age, drives at t = 0 s\): 3/);
    const bad = await mesostp(['analyze', 'scenarios/v3-up-down.json', '--sweep', 'populations.E.mu=1:2:3']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--sweep populations\.E\.mu: the scenario has no number at "populations\.E\.mu"/);
    const form = await mesostp(['analyze', 'scenarios/v3-up-down.json', '--sweep', 'mu=1:2']);
    expect(form.code).toBe(2);
    expect(form.stderr).toMatch(/--sweep must look like PATH=FROM:TO:N/);
  });

  it('validate runs V2 at a given size, prints the table and writes the report; bad arguments exit 2', async () => {
    const root = join(cli.dir, 'validate');
    const dir = join(root, 'v2');
    const r = await mesostp(['validate', 'v2', '--trials', '24,8,12', '--out', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/set\s+population\s+metric\s+micro-cpu\s+MF2\s+MF1\s+target/);
    expect(r.stdout).toMatch(/depression\s+C = N\s+sd/);
    expect(r.stdout).toMatch(/MF2: \d+ of 20 targets met/);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.sizes).toMatchObject({ gpuTrials: 24, cpuTrials: 8, mesoTrials: 12 });
    // Twelve figures, each SVG beside the numbers it shows; --report draws them again, the same bytes.
    const figures = readdirSync(join(dir, 'figures'));
    expect(figures.filter((f) => f.endsWith('.svg')).length).toBe(12);
    expect(figures.filter((f) => f.endsWith('.json')).length).toBe(12);
    const mean = join(dir, 'figures', 'v2-depression-post_all-mean.svg');
    const drawn = readFileSync(mean, 'utf8');
    expect(drawn).toMatch(/^<svg[\s\S]*>bands: ± s\.e\. over trials<\/text>[\s\S]*<\/svg>$/);
    const again = await mesostp(['validate', '--report', root]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/drew 12 figure\(s\) again/);
    expect(readFileSync(mean, 'utf8')).toBe(drawn);
    const bad = await mesostp(['validate', 'v9', '--out', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"v9" is not an experiment of this version; available: v2, v3, v3b, v4, v4b, v5, v6, v7, all/);
    const badTrials = await mesostp(['validate', '--trials', '10,x', '--out', dir]);
    expect(badTrials.code).toBe(2);
    expect(badTrials.stderr).toMatch(/--trials takes three integers/);
  }, 120_000);

  it('bench --smoke runs every workload with every engine in child runs and writes consistent JSON and the report; bad options exit 2', async () => {
    const root = join(cli.dir, 'bench');
    const r = await mesostp(['bench', '--smoke', '--out', root], {}, 290_000);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(root, 'benchmarks', 'results.json'), 'utf8'));
    expect(results.size).toBe('smoke');
    expect(results.repeats).toBe(2);
    expect(results.machine.hostBandwidth.bytesPerSecond).toBeGreaterThan(0);
    const workloads = new Set(results.cases.map((c: { workload: string }) => c.workload));
    expect([...workloads]).toEqual(['feedforward', 'recurrent', 'set-up']);
    for (const c of results.cases) {
      for (const e of c.engines) {
        expect(e.refused, `${c.workload} ${c.variant} ${e.engine}`).toBeUndefined();
        expect(e.runs.length).toBe(2);
        for (const m of e.runs) {
          expect(m.setupSeconds).toBeGreaterThan(0);
          expect(m.wallSeconds).toBeGreaterThan(m.setupSeconds);
          expect(m.peakHostBytes).toBeGreaterThan(2 ** 20);
          // The work done follows from the scenario alone: the same in every repeat.
          expect(m.neuronSteps).toBe(e.runs[0].neuronSteps);
          expect(m.trialSteps).toBe(e.runs[0].trialSteps);
        }
        expect(e.wallSeconds.min).toBeLessThanOrEqual(e.wallSeconds.median);
        expect(e.wallSeconds.median).toBeLessThanOrEqual(e.wallSeconds.max);
        if (e.engine === 'micro-gpu') expect(e.gpuBytes).toBeGreaterThan(0);
      }
    }
    // The feedforward case at B = 4: 4 trials × 100 steps (0.05 s at 0.5 ms) × the preset's neurons.
    const ff = results.cases.find((c: { workload: string; value: number }) => c.workload === 'feedforward' && c.value === 4);
    const neurons = Object.values(
      JSON.parse(readFileSync('scenarios/v2-feedforward-depression.json', 'utf8')).populations as Record<string, { N: number }>,
    ).reduce((n, p) => n + p.N, 0);
    expect(ff.engines[0].runs[0].trialSteps).toBe(4 * 100);
    expect(ff.engines[0].runs[0].neuronSteps).toBe(4 * 100 * neurons);
    expect(ff.ratios.map((q: { faster: string; slower: string }) => `${q.faster}/${q.slower}`)).toContain('micro-gpu/micro-cpu');
    const md = readFileSync(join(root, 'benchmarks.md'), 'utf8');
    const perSyn = results.cases
      .find((c: { variant: string }) => c.variant === 'per-synapse STP')
      .engines.find((e: { engine: string }) => e.engine === 'micro-gpu');
    const perPre = results.cases
      .find((c: { variant: string }) => c.variant === 'per-presynaptic STP')
      .engines.find((e: { engine: string }) => e.engine === 'micro-gpu');
    // STP state per synapse holds C = 100 times the per-neuron state of per-presynaptic placement.
    expect(perSyn.stpStateBytes['E->E'] / perPre.stpStateBytes['E->E']).toBeCloseTo(100, 0);
    // The recurrent case the meso targets read: every engine ran a longer run per repeat, micro twice
    // the duration, meso and macro ten times, and has a steady-state cost (at these tiny sizes the
    // difference of two runs is within their noise, so only that it was computed is checked).
    const steadyCase = results.cases.find((c: { variant: string }) => c.variant === 'per-presynaptic STP');
    expect(steadyCase.engines.map((e: { engine: string }) => e.engine)).toEqual(['micro-gpu', 'micro-cpu', 'meso-mf2', 'meso-age', 'meso-gpu', 'macro']);
    for (const e of steadyCase.engines) {
      expect(e.longRuns.map((m: { trialSeconds: number }) => Math.round((1000 * m.trialSeconds) / e.runs[0].trialSeconds) / 1000)).toEqual(
        e.engine.startsWith('micro') ? [2, 2] : [10, 10],
      );
      expect(Number.isFinite(e.steadySecondsPerTrialSecond.median), e.engine).toBe(true);
    }
    expect(md).toMatch(/\| engine \| set-up \| run s per trial-s \| steady state \|/);
    expect(md).toMatch(/^# Benchmarks/);
    expect(md).toMatch(/\| micro-gpu ≥ 20× micro-cpu \(1 thread\) on the V2 workload at 1024 trials \| not measured \|/);
    expect(r.stdout).toMatch(/feedforward \(V2 preset\), B = 4/);
    const bad = await mesostp(['bench', '--only', 'nonsense', '--out', root]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown workload "nonsense"; choose from feedforward, recurrent, set-up, peers/);
    expect((await mesostp(['bench', '--quick', '--full'])).code).toBe(2);
  }, 300_000);

  it('bench --peers without Brian2 reports the peers as refused, with the install command, beside the engines that ran', async () => {
    const root = join(cli.dir, 'bench-peers');
    const r = await mesostp(
      ['bench', '--smoke', '--peers', '--only', 'feedforward', '--repeat', '1', '--out', root],
      { MESOSTP_PYTHON: join(cli.dir, 'no-python') },
      120_000,
    );
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(root, 'benchmarks', 'results.json'), 'utf8'));
    expect(results.peers.refused).toMatch(/Brian2 is not installed .*no-python: not found.*scripts\/install-system-deps\.sh --brian/);
    const mc = results.cases.find((c: { peer?: string }) => c.peer === 'feedforward_mc');
    expect(mc.engines.map((e: { engine: string }) => e.engine)).toEqual(['micro-gpu', 'micro-cpu', 'micro-cpu-all', 'brian2-cython', 'brian2-cpp']);
    for (const e of mc.engines.slice(-2)) expect(e.refused).toBe(results.peers.refused);
    // The cases without a Brian2 script run without peers.
    expect(
      results.cases
        .filter((c: { peer?: string }) => !c.peer)
        .every((c: { engines: { engine: string }[] }) => c.engines.every((e) => !e.engine.startsWith('brian2'))),
    ).toBe(true);
    const md = readFileSync(join(root, 'benchmarks.md'), 'utf8');
    expect(md).toMatch(/^Peers \(`--peers`\): none ran\. Brian2 is not installed/m);
    expect(md).toMatch(/\| Brian2 \(cython, 1 thread\) \| refused: Brian2 is not installed/);
    expect(md).toMatch(
      /\| micro-gpu ≥ 5× faster than the faster Brian2 target on the V2-type Monte Carlo \(B = 1024, 1 s\) \| not measured \| Brian2 refused: Brian2 is not installed/,
    );
    expect(r.stdout).toMatch(/^Same network\? feedforward \(V2-type MC, 1000 Poisson, dt = 0\.1 ms\), B = 4/m);
  }, 130_000);

  it('refuses bad options and bad scenarios, naming what to fix', async () => {
    const dir = join(cli.dir, 'bad-run');
    const noOut = await mesostp(['run', 'scenarios/demo.json']);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--out DIR/);
    const level = await mesostp(['run', 'scenarios/demo.json', '--level', 'nonsense', '--out', dir]);
    expect(level.code).toBe(2);
    expect(level.stderr).toMatch(/--level nonsense is not available; choose one of micro-cpu, micro-gpu, meso, macro/);
    const trials = await mesostp(['run', 'scenarios/demo.json', '--trials', '2.5', '--out', dir]);
    expect(trials.code).toBe(1);
    expect(trials.stderr).toMatch(/--trials must be an integer, got "2.5"/);
    const zero = await mesostp(['run', 'scenarios/demo.json', '--trials', '0', '--out', dir]);
    expect(zero.code).toBe(1);
    expect(zero.stderr).toMatch(/run\.trials/);
    const coarse = await mesostp(['run', 'scenarios/demo.json', '--duration=-1', '--out', dir]);
    expect(coarse.code).toBe(1);
    expect(coarse.stderr).toMatch(/run\.duration/);
    const missing = await mesostp(['run', join(cli.dir, 'no-such-file.json'), '--out', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*no-such-file\.json/);
    const notJson = join(cli.dir, 'not-json.json');
    writeFileSync(notJson, '{ "name": ');
    const parse = await mesostp(['run', notJson, '--out', dir]);
    expect(parse.code).toBe(1);
    expect(parse.stderr).toMatch(/not-json\.json is not valid JSON/);
  });

  it('Ctrl-C (SIGINT) stops a long run and still writes what was computed, with cancelled: true', async () => {
    const dir = join(cli.dir, 'interrupted');
    const child = spawn(process.execPath, [join(cli.dir, 'mesostp.js'), 'run', 'scenarios/v3-up-down.json', '--duration', '600', '--out', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const code = await new Promise<number | null>((resolve) => {
      let sent = false;
      child.stderr.on('data', (d) => {
        stderr += d;
        // Interrupt once the run reports progress past its first chunks.
        if (!sent && /micro-cpu +\d+% \(\d+\//.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/stopping after the current chunk/);
    expect(stdout).toMatch(/cancelled: partial results/);
    const { summary, arrays } = readOutputs(dir);
    expect(summary.cancelled).toBe(true);
    expect(summary.completedDuration).toBeGreaterThan(0);
    expect(summary.completedDuration).toBeLessThan(600);
    const bins = Math.round(summary.completedDuration / 0.01);
    expect(arrays['activity.E'].shape).toEqual([1, bins]);
  }, 60_000);
});

/**
 * The V3 question at N = 500 (docs/theory.md, "Still open"): the age-resolved meso Up periods are
 * 36 ± 8 % shorter than micro's there, while they agree within 25 % up to N = 400. Hypothesis:
 * the meso Up state fluctuates more than micro's, and near its weak damping (−1.8/s) a little more
 * noise shortens the periods a lot. This script measures the fluctuations of A_N inside Up
 * periods, at the preset (μ = 9.8 mV) and N = 300, 400, 500, in micro-cpu and in meso with the
 * age-resolved STP mean-field, and writes docs/validation/v3/up-state.md:
 *
 *   node bench/run.mjs bench/v3UpState.ts [--duration S] [--micro-trials B] [--meso-trials B] [--sizes 300,400,500] [--out FILE]
 *
 * Inside an Up period (the segmentation of `mesostp validate v3`, periods of at least 0.4 s, their
 * first and last 0.1 s left out so that the transitions do not count), per trial: the s.d. of A_N
 * in 10-ms bins and of A_N smoothed over 50 ms (what the segmentation sees), each about the
 * period's own mean, the autocorrelation of the 10-ms A_N at lags of 10–200 ms, and the mean
 * resources x̄. Standard errors are across trials (independent runs).
 */
import { writeFileSync } from 'node:fs';
import v3Preset from '../scenarios/v3-up-down.json';
import { boxcarSmooth, segmentUpDown } from '../src/analysis/upDown';
import type { Recording } from '../src/model/recording';
import type { Scenario } from '../src/model/scenario';
import { parseScenario } from '../src/model/validate';
import { run } from '../src/run';
import { V3_SEGMENTATION, V3_TRANSIENT } from '../src/validation/v3';

interface Options {
  duration: number;
  microTrials: number;
  mesoTrials: number;
  sizes: number[];
  out: string;
}

/** What one level's Up periods show at one N; every quantity is a mean over trials ± its standard error. */
export interface UpState {
  level: string;
  N: number;
  trials: number;
  periods: number;
  upDwell: [number, number];
  sdRaw: [number, number];
  sdSmooth: [number, number];
  xBar: [number, number];
  activity: [number, number];
  /** Autocorrelation of the 10-ms A_N at lags 1…LAGS bins. */
  acf: [number, number][];
  wallSeconds: number;
}

const LAGS = 20;
const MIN_BINS = 40;
const EDGE_BINS = 10;

function meanSe(v: number[]): [number, number] {
  const x = v.filter(Number.isFinite);
  const m = x.reduce((s, a) => s + a, 0) / x.length;
  const s2 = x.reduce((s, a) => s + (a - m) ** 2, 0) / Math.max(1, x.length - 1);
  return [m, Math.sqrt(s2 / x.length)];
}

function scenarioAt(N: number, trials: number, duration: number, seed: number): Scenario {
  const s = structuredClone(v3Preset) as Record<string, any>;
  delete s.$schema;
  // J·N fixed, as the preset and `mesostp validate v3` scale it.
  s.projections[0].weight = (v3Preset.projections[0].weight * v3Preset.populations.E.N) / N;
  s.populations.E.N = N;
  s.run = { ...s.run, trials, duration, seed };
  s.record = { activity: true, binSize: V3_SEGMENTATION.binSeconds, stp: true };
  return parseScenario(s);
}

/** The Up-state statistics of a recording, trial by trial. */
export function upState(r: Recording, level: string, N: number): UpState {
  const bins = r.bins;
  const seg = segmentUpDown(r.activity.E, r.trials, bins, { ...V3_SEGMENTATION, skipBins: Math.round(V3_TRANSIENT / r.binSize) });
  const x = r.stp['E->E']?.x;
  const sdRaw: number[] = [];
  const sdSmooth: number[] = [];
  const xBar: number[] = [];
  const activity: number[] = [];
  const acf: number[][] = Array.from({ length: LAGS }, () => []);
  let periods = 0;
  for (let t = 0; t < r.trials; t++) {
    const a = Float64Array.from({ length: bins }, (_, k) => r.activity.E[t * bins + k]);
    const smooth = boxcarSmooth(a, V3_SEGMENTATION.smoothBins);
    let n = 0;
    let ssRaw = 0;
    let ssSmooth = 0;
    let sumA = 0;
    let sumX = 0;
    const lagSum = new Float64Array(LAGS);
    const lagCount = new Float64Array(LAGS);
    for (const p of seg.periods[t]) {
      if (!p.up || p.end - p.start < MIN_BINS) continue;
      periods++;
      const from = p.start + EDGE_BINS;
      const to = p.end - EDGE_BINS;
      let mRaw = 0;
      let mSmooth = 0;
      for (let k = from; k < to; k++) {
        mRaw += a[k];
        mSmooth += smooth[k];
      }
      mRaw /= to - from;
      mSmooth /= to - from;
      for (let k = from; k < to; k++) {
        ssRaw += (a[k] - mRaw) ** 2;
        ssSmooth += (smooth[k] - mSmooth) ** 2;
        sumA += a[k];
        if (x) sumX += x[t * bins + k];
        for (let l = 1; l <= LAGS && k + l < to; l++) {
          lagSum[l - 1] += (a[k] - mRaw) * (a[k + l] - mRaw);
          lagCount[l - 1]++;
        }
      }
      n += to - from;
    }
    if (n < 2) continue;
    const variance = ssRaw / n;
    sdRaw.push(Math.sqrt(variance));
    sdSmooth.push(Math.sqrt(ssSmooth / n));
    activity.push(sumA / n);
    if (x) xBar.push(sumX / n);
    for (let l = 0; l < LAGS; l++) acf[l].push(lagSum[l] / lagCount[l] / variance);
  }
  return {
    level,
    N,
    trials: sdRaw.length,
    periods,
    upDwell: meanSe(seg.upDwell),
    sdRaw: meanSe(sdRaw),
    sdSmooth: meanSe(sdSmooth),
    xBar: meanSe(xBar),
    activity: meanSe(activity),
    acf: acf.map(meanSe),
    wallSeconds: r.wallSeconds,
  };
}

function parse(args: string[]): Options {
  const o: Options = { duration: 60, microTrials: 8, mesoTrials: 32, sizes: [300, 400, 500], out: 'docs/validation/v3/up-state.md' };
  for (let i = 0; i < args.length; i += 2) {
    const [k, v] = [args[i], args[i + 1]];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--duration') o.duration = Number(v);
    else if (k === '--micro-trials') o.microTrials = Number(v);
    else if (k === '--meso-trials') o.mesoTrials = Number(v);
    else if (k === '--sizes') o.sizes = v.split(',').map(Number);
    else if (k === '--out') o.out = v;
    else throw new Error(`unknown option ${k}`);
  }
  return o;
}

const pm = ([m, e]: [number, number], digits = 2) => `${m.toFixed(digits)} ± ${e.toFixed(digits)}`;

/** meso/micro − 1 with the standard error of the ratio (independent errors). */
function excess(meso: [number, number], micro: [number, number]): string {
  const r = meso[0] / micro[0];
  const se = r * Math.hypot(meso[1] / meso[0], micro[1] / micro[0]);
  return `${((r - 1) * 100).toFixed(1)} ± ${(se * 100).toFixed(1)} %`;
}

export async function main(args: string[]): Promise<number> {
  const o = parse(args);
  const started = Date.now();
  const rows: { micro: UpState; meso: UpState }[] = [];
  for (const N of o.sizes) {
    console.log(`N = ${N}: micro-cpu ${o.microTrials} × ${o.duration} s …`);
    const micro = upState(await run(scenarioAt(N, o.microTrials, o.duration, 11), { level: 'micro-cpu' }), 'micro-cpu', N);
    console.log(`N = ${N}: meso (age) ${o.mesoTrials} × ${o.duration} s …`);
    const meso = upState(await run(scenarioAt(N, o.mesoTrials, o.duration, 12), { level: 'meso', stp: 'age' }), 'meso (age)', N);
    rows.push({ micro, meso });
    console.log(`  s.d. of A_N in Up (10 ms): micro ${pm(micro.sdRaw)} Hz, meso ${pm(meso.sdRaw)} Hz (${excess(meso.sdRaw, micro.sdRaw)})`);
    console.log(`  smoothed (50 ms): micro ${pm(micro.sdSmooth)} Hz, meso ${pm(meso.sdSmooth)} Hz (${excess(meso.sdSmooth, micro.sdSmooth)})`);
  }
  const command = `node bench/run.mjs bench/v3UpState.ts${args.length ? ` ${args.join(' ')}` : ''}`;
  const lines = [
    '# V3: the Up state at N = 300–500, micro against the age-resolved meso',
    '',
    `\`${command}\` on ${new Date().toISOString().slice(0, 10)} (${((Date.now() - started) / 1000).toFixed(0)} s on this machine).`,
    `The V3 preset (μ = 9.8 mV, J·N fixed), ${o.duration} s per trial; micro-cpu ${o.microTrials} trials, meso \`--stp age\` ${o.mesoTrials} trials, other seeds than the report's.`,
    `Up periods as \`mesostp validate v3\` segments them, those of at least ${MIN_BINS / 100} s, without their first and last ${EDGE_BINS / 100} s.`,
    "Per trial: the s.d. of A_N about each period's mean, in 10-ms bins and smoothed over 50 ms (what the segmentation sees), the mean A_N and resources x̄;",
    'then the mean over trials ± its standard error. "meso − micro" is the relative difference with the standard error of the ratio.',
    '',
    '| N | level | Up periods | mean Up dwell (s) | A_N in Up (Hz) | x̄ in Up | s.d. of A_N, 10 ms (Hz) | s.d., 50 ms smoothed (Hz) | lag-1 autocorrelation |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { micro, meso } of rows)
    for (const u of [micro, meso])
      lines.push(
        `| ${u.N} | ${u.level} | ${u.periods} | ${pm(u.upDwell)} | ${pm(u.activity)} | ${pm(u.xBar, 4)} | ${pm(u.sdRaw)} | ${pm(u.sdSmooth)} | ${pm(u.acf[0], 3)} |`,
      );
  lines.push('', '| N | meso − micro: s.d., 10 ms | s.d., 50 ms smoothed | x̄ | A_N | Up dwell |', '| --- | --- | --- | --- | --- | --- |');
  for (const { micro, meso } of rows)
    lines.push(
      `| ${micro.N} | ${excess(meso.sdRaw, micro.sdRaw)} | ${excess(meso.sdSmooth, micro.sdSmooth)} | ${excess(meso.xBar, micro.xBar)} | ${excess(meso.activity, micro.activity)} | ${excess(meso.upDwell, micro.upDwell)} |`,
    );
  lines.push('', 'Autocorrelation of the 10-ms A_N inside Up periods (lags 10, 50, 100, 150, 200 ms):', '');
  lines.push('| N | level | 10 ms | 50 ms | 100 ms | 150 ms | 200 ms |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const { micro, meso } of rows)
    for (const u of [micro, meso]) lines.push(`| ${u.N} | ${u.level} | ${[1, 5, 10, 15, 20].map((l) => pm(u.acf[l - 1], 3)).join(' | ')} |`);
  writeFileSync(o.out, `${lines.join('\n')}\n`);
  console.log(`wrote ${o.out}`);
  return 0;
}

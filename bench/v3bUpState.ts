/**
 * V3b's question (docs/validation/plan.md): does V3's bistable population keep a stable Up state
 * when its neurons fire irregularly, as MF2's derivation assumes? The script searches for one and
 * writes what it finds to docs/validation/v3b/search.md:
 *
 *   node bench/run.mjs bench/v3bUpState.ts [--out FILE] [--micro-seconds S]
 *
 * 1. For neuron settings that make firing Poisson-like (no refractoriness with a soft threshold
 *    and a reset near it; or V4b's 2-ms membranes) and, as the reference, V3's own neurons, it
 *    sweeps J·N at several drives μ and two depressions; every bistable configuration (three
 *    fixed points of the macro equations, MF2) gets the stability of its upper state from a
 *    perturbation run, as `mesostp analyze` measures it.
 * 2. It simulates V3, one bistable Poisson-like configuration whose upper state is unstable, and
 *    one whose upper state is stable with micro-gpu (N = 300), and reports how long the network
 *    stays in its upper state and the ISI CV of its neurons there.
 *
 * Why the answer is no for an exponential hazard is in docs/theory.md ("Up states need
 * saturation").
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import v3Preset from '../scenarios/v3-up-down.json';
import { interspikeIntervalCv } from '../src/analysis/interspikeIntervals';
import { segmentUpDown, stateActivity, withinState } from '../src/analysis/upDown';
import { requestNodeGpu } from '../src/gpu/node';
import { analyzeFixedPoints } from '../src/meso/analyze';
import { macroFixedPoints } from '../src/meso/fixedPoints';
import type { Scenario } from '../src/model/scenario';
import { parseScenario } from '../src/model/validate';
import { run } from '../src/run';

interface Neurons {
  name: string;
  tauM: number;
  tRef: number;
  deltaU: number;
  uReset: number;
}

const NEURONS: readonly Neurons[] = [
  { name: "V3's neurons (reference)", tauM: 0.02, tRef: 0.004, deltaU: 2, uReset: 0 },
  { name: 'no refractoriness, Δu 5 mV, reset 15 mV', tauM: 0.02, tRef: 0, deltaU: 5, uReset: 15 },
  { name: 'no refractoriness, Δu 5 mV, reset 10 mV', tauM: 0.02, tRef: 0, deltaU: 5, uReset: 10 },
  { name: 'no refractoriness, Δu 4 mV, reset 15 mV', tauM: 0.02, tRef: 0, deltaU: 4, uReset: 15 },
  { name: "τm 2 ms, no refractoriness, Δu 2 mV (V4b's membranes)", tauM: 0.002, tRef: 0, deltaU: 2, uReset: 0 },
  { name: 'τm 2 ms, no refractoriness, Δu 3 mV', tauM: 0.002, tRef: 0, deltaU: 3, uReset: 0 },
];
const DRIVES = [2, 5, 8, 9.8];
const DEPRESSIONS = [
  { U: 0.2, tauD: 0.2 },
  { U: 0.2, tauD: 0.5 },
];
/** J·N at τm = 20 ms, log-spaced; the input of a current-based synapse scales with τm, so J·N is scaled by 20 ms/τm. */
const JN = Array.from({ length: 24 }, (_, i) => 100 * 30 ** (i / 23));

/** With `kick`, the drive is `kick` mV for the first 0.2 s, which lifts the network into its upper state. */
function scenario(
  n: Neurons,
  mu: number,
  stp: { U: number; tauD: number },
  jn: number,
  N: number,
  trials = 1,
  duration = 1,
  seed = 1,
  kick?: number,
): Scenario {
  const s = structuredClone(v3Preset) as Record<string, any>;
  delete s.$schema;
  const drive = kick === undefined ? { type: 'constant', value: mu } : { type: 'steps', times: [0.2], values: [kick, mu] };
  Object.assign(s.populations.E, { N, tauM: n.tauM, tRef: n.tRef, deltaU: n.deltaU, uReset: n.uReset, mu: drive });
  s.projections[0].weight = (jn * (0.02 / n.tauM)) / N;
  s.projections[0].stp = { model: 'depression', ...stp };
  s.run = { ...s.run, trials, duration, seed };
  s.record = { activity: true, binSize: 0.01, spikes: [{ population: 'E', neurons: 100 }] };
  return parseScenario(s);
}

interface Found {
  neurons: string;
  mu: number;
  U: number;
  tauD: number;
  jn: number;
  rates: number[];
  upStable: boolean;
  upGrowth: number;
  upFrequency: number | null;
}

function search(): Found[] {
  const found: Found[] = [];
  for (const n of NEURONS)
    for (const mu of DRIVES)
      for (const stp of DEPRESSIONS)
        for (const jn of JN) {
          const s = scenario(n, mu, stp, jn, 500);
          if (macroFixedPoints(s, { stp: 'mf2' }).length !== 3) continue;
          const fps = analyzeFixedPoints(s, { stp: 'mf2' });
          const up = fps[fps.length - 1];
          found.push({
            neurons: n.name,
            mu,
            ...stp,
            jn,
            rates: fps.map((f) => f.rates.E),
            upStable: up.stability.stable,
            upGrowth: up.stability.growthRate,
            upFrequency: up.stability.frequency,
          });
        }
  return found;
}

interface Simulated {
  label: string;
  upPeriods: number;
  /** Fraction of the analysed time in the upper state, complete periods or not. */
  upFraction: number;
  upDwell: number;
  downDwell: number;
  upActivity: number;
  cv: number;
  cvSe: number;
}

async function simulate(label: string, s: Scenario, high: number, low: number, gpu: Awaited<ReturnType<typeof requestNodeGpu>>): Promise<Simulated> {
  const r = await run(s, { level: 'micro-gpu', gpu });
  const seg = segmentUpDown(r.activity.E, r.trials, r.bins, { binSeconds: 0.01, smoothBins: 5, high, low, skipBins: 100 });
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  // Intervals with both spikes inside one upper-state period: the regularity of firing in that state.
  const cv = interspikeIntervalCv(r.spikes.E, r.trials, 1, withinState(seg, 0.01, true));
  const periods = seg.periods.flat();
  const span = (up: boolean) => periods.filter((p) => p.up === up).reduce((x, p) => x + p.end - p.start, 0);
  return {
    label,
    upPeriods: seg.upDwell.length,
    upFraction: span(true) / (span(true) + span(false)),
    upDwell: mean(seg.upDwell),
    downDwell: mean(seg.downDwell),
    upActivity: stateActivity(seg, true).mean,
    cv: cv.cv,
    cvSe: cv.se,
  };
}

export async function main(args: string[]): Promise<number> {
  const at = (flag: string) => args.indexOf(flag);
  const out = at('--out') >= 0 ? args[at('--out') + 1] : 'docs/validation/v3b/search.md';
  const microSeconds = at('--micro-seconds') >= 0 ? Number(args[at('--micro-seconds') + 1]) : 30;
  const t0 = performance.now();
  const found = search();
  const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
  const searchSeconds = (performance.now() - t0) / 1000;
  console.log(`search: ${found.length} bistable configurations in ${searchSeconds.toFixed(0)} s`);
  // The Poisson-like configuration simulated: the first bistable one of the soft-threshold neurons with the lowest upper rate.
  const soft = found.filter((f) => f.neurons === NEURONS[1].name).sort((a, b) => a.rates[2] - b.rates[2])[0];
  const gpu = await requestNodeGpu();
  const sims: Simulated[] = [];
  try {
    sims.push(await simulate('V3 (preset, J·N fixed)', scenario(NEURONS[0], 9.8, DEPRESSIONS[0], 265, 300, 2, microSeconds, 7), 12, 6, gpu));
    if (soft) {
      const mid = soft.rates[1];
      const s = scenario(NEURONS[1], soft.mu, { U: soft.U, tauD: soft.tauD }, soft.jn, 300, 2, microSeconds, 7);
      // Up above halfway from the unstable point to the upper state, Down below halfway to the lower one.
      sims.push(await simulate(`${soft.neurons}, μ ${soft.mu} mV, J·N ${soft.jn.toFixed(0)} mV`, s, (mid + soft.rates[2]) / 2, (mid + soft.rates[0]) / 2, gpu));
    }
    // A stable upper state of soft-threshold neurons, the most strongly attracting one of the Δu = 4 mV setting, entered by
    // a kick of the drive: from the Down state the network mostly overshoots it in bursts.
    const held = found.filter((f) => f.neurons === NEURONS[3].name && f.upStable).sort((a, b) => a.upGrowth - b.upGrowth)[0];
    if (held) {
      const mid = held.rates[1];
      const s = scenario(NEURONS[3], held.mu, { U: held.U, tauD: held.tauD }, held.jn, 300, 2, microSeconds, 7, 8);
      sims.push(
        await simulate(
          `${held.neurons}, μ ${held.mu} mV, J·N ${held.jn.toFixed(0)} mV (stable upper state; μ 8 mV for the first 0.2 s)`,
          s,
          (mid + held.rates[2]) / 2,
          (mid + held.rates[0]) / 2,
          gpu,
        ),
      );
    }
  } finally {
    gpu.destroy();
  }
  const perNeurons = NEURONS.map((n) => {
    const f = found.filter((x) => x.neurons === n.name);
    const stable = f.filter((x) => x.upStable).map((x) => x.rates[2]);
    return `| ${n.name} | ${f.length} | ${stable.length} | ${stable.length > 0 ? fmt(Math.min(...stable), 1) : '—'} |`;
  });
  const md = [
    '# V3b: is there an Up state with irregularly firing neurons?',
    '',
    `\`node bench/run.mjs bench/v3bUpState.ts\` on ${new Date().toISOString().slice(0, 10)} (search ${searchSeconds.toFixed(0)} s; micro-gpu ${microSeconds} s × 2 trials per network).`,
    '',
    "V3's population (one population, all-to-all depressing excitation, exponential escape noise c·exp((V − 15 mV)/Δu), c = 10 Hz)",
    `with neurons that fire irregularly. For each neuron setting, J·N (scaled by 20 ms/τm) takes ${JN.length} log-spaced values from 100 to 3000 mV,`,
    `the drive μ ${DRIVES.join(', ')} mV and the depression (U, τD) ${DEPRESSIONS.map((d) => `(${d.U}, ${d.tauD} s)`).join(' and ')}. A configuration is bistable when the`,
    'macro equations (MF2) have three fixed points; its upper state is stable when a perturbation run from it decays (`mesostp analyze`).',
    '',
    '| neurons | bistable configurations | with a stable upper state | lowest stable upper state (Hz) |',
    '| --- | --- | --- | --- |',
    ...perNeurons,
    '',
    '## Every bistable configuration',
    '',
    '| neurons | μ (mV) | U | τD (s) | J·N (mV, at 20 ms) | fixed points (Hz) | upper state |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...found.map(
      (f) =>
        `| ${f.neurons} | ${f.mu} | ${f.U} | ${f.tauD} | ${f.jn.toFixed(0)} | ${f.rates.map((r) => fmt(r)).join(', ')} | ${f.upStable ? 'stable' : 'UNSTABLE'} (growth ${fmt(f.upGrowth)}/s${f.upFrequency !== null ? `, ${fmt(f.upFrequency, 1)} Hz` : ''}) |`,
    ),
    '',
    '## What the network does (micro-gpu, N = 300)',
    '',
    'Complete periods in the upper state (hysteresis thresholds halfway between the fixed points; V3: 12 and 6 Hz), their mean length,',
    'the fraction of the time spent in the upper state (complete periods or not: a state the network does not leave before the run',
    'ends counts here only), its activity, the mean length of the lower-state periods, and the ISI CV of 100 neurons in the upper state',
    '(intervals with both spikes in one upper-state period, pooled over the neurons of a trial; mean ± s.e. over trials).',
    '',
    '| network | complete upper periods | mean upper period (s) | time in the upper state | upper activity (Hz) | mean lower period (s) | ISI CV in the upper state |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...sims.map(
      (s) =>
        `| ${s.label} | ${s.upPeriods} | ${fmt(s.upDwell)} | ${(100 * s.upFraction).toFixed(0)} % | ${fmt(s.upActivity, 1)} | ${fmt(s.downDwell)} | ${fmt(s.cv)} ± ${fmt(s.cvSe)} |`,
    ),
    '',
  ];
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, md.join('\n'));
  console.log(md.slice(8, 8 + NEURONS.length + 2).join('\n'));
  console.log(sims.map((s) => `${s.label}: ${s.upPeriods} upper periods of ${fmt(s.upDwell)} s at ${fmt(s.upActivity, 1)} Hz; CV ${fmt(s.cv)}`).join('\n'));
  console.log(`wrote ${out}`);
  return 0;
}

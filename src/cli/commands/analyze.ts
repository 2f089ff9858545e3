import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { readScenarioFile } from '../readScenarioFile';
import { formatIssue, validateScenario } from '../../model';
import type { FixedPoint } from '../../meso/fixedPoints';
import { STP_MEAN_FIELD_DEFAULT } from '../../meso/stpMeanField';
import { analyzeFixedPoints, synapseAnalysis, sweepFixedPoints, type AnalyzedFixedPoint } from '../../meso/analyze';
import { bifurcationFigure } from '../../analysis/bifurcationPlot';
import { renderFigureSvg } from '../../analysis/figures/renderSvg';

const help = `mesostp analyze <scenario.json> [options]

The mean-field analysis of a scenario at the macro level (N → ∞), in the engine's own
discretisation (docs/meso.md):
  - each STP synapse: stationary u, x, efficacy per spike and transmitted rate against the
    presynaptic rate (exact for depression and three-state means; MF1 and MF2 for
    Tsodyks–Markram);
  - the fixed points of the population rates, each with its stability: the growth rate and
    frequency of the leading eigenvalue, measured by starting the macro equations at the fixed
    point with and without a small kick; and, for one recurrent population, the slope dF/dr of
    the self-consistency (> 1: unstable, the middle state of a bistable network);
  - with --sweep, the fixed points along one scenario parameter (a bifurcation diagram; the
    slope test only, unless --stability).

Options:
  --stp age|mf2|mf1         STP mean-field of the fixed points (default age, as run; age costs
                            about 10× mf2 per point: --stp mf2 for a quick sweep)
  --sweep PATH=FROM:TO:N    e.g. populations.E.mu.value=9:11:41 or projections[0].weight=0.4:0.6:21
  --at T                    time (s) at which drives and Poisson rates are taken (default 0)
  --stability               with --sweep: measure every fixed point's stability by perturbation runs
  --out DIR                 write DIR/analysis.json (and DIR/sweep.svg with --sweep)`;

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(3);
}

function fixedPointLine(fp: FixedPoint | AnalyzedFixedPoint): string {
  const rates = Object.entries(fp.rates)
    .map(([k, v]) => `${k} ${fmt(v)} Hz`)
    .join(', ');
  const slope = fp.slope === null ? '' : `, slope dF/dr ${fp.slope.toFixed(3)}`;
  if (!('stability' in fp)) return `  ${rates}${slope}${fp.slope === null ? '' : fp.slope < 1 ? ' (stable to slow perturbations)' : ' (unstable)'}`;
  const s = fp.stability;
  const osc = s.frequency === null ? '' : `, oscillating at ${s.frequency.toFixed(1)} Hz`;
  return `  ${rates}: ${s.stable ? 'stable' : 'UNSTABLE'} (leading growth rate ${s.growthRate.toFixed(2)}/s${osc})${slope}`;
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'mean-field analysis: single-synapse curves, macro fixed points, parameter sweeps',
  help,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        stp: { type: 'string', default: STP_MEAN_FIELD_DEFAULT },
        sweep: { type: 'string' },
        at: { type: 'string', default: '0' },
        out: { type: 'string' },
        stability: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 1) {
      console.error(`mesostp analyze: expected one scenario file.\n\n${help}`);
      return 2;
    }
    const stp = values.stp;
    if (stp !== 'mf1' && stp !== 'mf2' && stp !== 'age') {
      console.error(`mesostp analyze: --stp ${stp} is not a mean-field order; choose mf1, mf2 or age`);
      return 2;
    }
    const t = Number(values.at);
    if (!Number.isFinite(t) || t < 0) {
      console.error(`mesostp analyze: --at must be a time ≥ 0 in seconds, got "${values.at}"`);
      return 2;
    }
    const json = await readScenarioFile(positionals[0]);
    const checked = validateScenario(json);
    for (const w of checked.warnings) console.error(`warning: ${formatIssue(w)}`);
    if (!checked.ok) {
      console.error(`${positionals[0]}: ${checked.errors.length} problem(s):`);
      for (const e of checked.errors) console.error(`  ${formatIssue(e)}`);
      return 1;
    }
    const scenario = checked.scenario;
    const options = { stp, t } as const;

    const synapses = synapseAnalysis(scenario);
    for (const s of synapses) {
      console.log(`${s.projection} (${s.model}): stationary state against the presynaptic rate`);
      for (const [closure, curve] of Object.entries(s.curves)) {
        console.log(
          `  ${closure.padEnd(5)} ${'rate (Hz)'.padStart(10)} ${'E[u+]'.padStart(9)} ${'E[x]'.padStart(9)} ${'E[w]'.padStart(9)} ${'r·E[w] (Hz)'.padStart(12)}`,
        );
        for (const row of curve.filter((_, k) => k % 4 === 0)) {
          console.log(
            `        ${fmt(row.rate).padStart(10)} ${fmt(row.uPlus).padStart(9)} ${fmt(row.x).padStart(9)} ${fmt(row.efficacy).padStart(9)} ${fmt(row.transmittedRate).padStart(12)}`,
          );
        }
      }
    }

    const fixedPoints = analyzeFixedPoints(scenario, options);
    console.log(`fixed points of the macro equations (STP ${stp}, drives at t = ${t} s): ${fixedPoints.length}`);
    for (const fp of fixedPoints) console.log(fixedPointLine(fp));

    let sweep: ReturnType<typeof sweepFixedPoints> | undefined;
    let sweepPath = '';
    if (values.sweep) {
      const m = /^([^=]+)=([^:]+):([^:]+):(\d+)$/.exec(values.sweep);
      const from = m ? Number(m[2]) : NaN;
      const to = m ? Number(m[3]) : NaN;
      const n = m ? Number(m[4]) : NaN;
      if (!m || !Number.isFinite(from) || !Number.isFinite(to) || !(n >= 2)) {
        console.error(`mesostp analyze: --sweep must look like PATH=FROM:TO:N with N ≥ 2, got "${values.sweep}"`);
        return 2;
      }
      sweepPath = m[1];
      const grid = Array.from({ length: n }, (_, k) => from + ((to - from) * k) / (n - 1));
      sweep = sweepFixedPoints(json, sweepPath, grid, { ...options, stability: values.stability });
      const first = Object.keys(scenario.populations).find((p) => scenario.populations[p].model !== 'poisson') ?? Object.keys(scenario.populations)[0];
      console.log(`sweep of ${sweepPath}: fixed-point rates of ${first} (Hz; * = unstable${values.stability ? '' : ' by the slope test'})`);
      for (const s of sweep) {
        const unstable = (f: FixedPoint | AnalyzedFixedPoint) => ('stability' in f ? !f.stability.stable : f.slope !== null && f.slope > 1);
        const list = s.fixedPoints.map((f) => `${fmt(f.rates[first])}${unstable(f) ? '*' : ''}`).join(', ');
        console.log(`  ${String(+s.value.toPrecision(6)).padStart(10)}  ${list}`);
      }
      if (values.out) {
        await mkdir(values.out, { recursive: true });
        await writeFile(join(values.out, 'sweep.svg'), await renderFigureSvg(bifurcationFigure(sweep, first, sweepPath)));
      }
    }
    if (values.out) {
      await mkdir(values.out, { recursive: true });
      await writeFile(
        join(values.out, 'analysis.json'),
        `${JSON.stringify({ scenario: scenario.name, stp, t, synapses, fixedPoints, sweep: sweep ? { path: sweepPath, points: sweep } : null }, null, 2)}\n`,
      );
      console.log(`wrote ${values.out}/analysis.json${sweep ? ' and sweep.svg' : ''}`);
    }
    return 0;
  },
};

#!/usr/bin/env node
/**
 * First throughput figures of the micro engines: one scenario (default the V2 preset at 1024
 * trials) run by micro-gpu and by micro-cpu on one thread, interleaved, through the CLI bundle
 * (build it first: npm run build:cli). Prints wall time, neuron-steps/s and synaptic events/s of
 * each run and the GPU/CPU ratio measured in this one invocation; writes JSON with --json FILE.
 *
 *   node bench/microThroughput.mjs [scenario.json] [--trials 1024] [--repeat 1] [--json out.json]
 *
 * Synaptic events are counted from the recorded activity: each presynaptic spike × the mean
 * out-degree of each of its projections (exact for all-to-all and fixed in-degree).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { trials: { type: 'string', default: '1024' }, repeat: { type: 'string', default: '1' }, json: { type: 'string' } } });
const file = positionals[0] ?? 'scenarios/v2-feedforward-depression.json';
const scenario = JSON.parse(readFileSync(file, 'utf8'));
const trials = Number(values.trials);
const steps = Math.round(scenario.run.duration / scenario.run.dt);
const neurons = Object.values(scenario.populations).reduce((s, p) => s + p.N, 0);

function meanOutDegree(p) {
  const nPre = scenario.populations[p.from].N;
  const nPost = scenario.populations[p.to].N;
  const c = p.connectivity;
  const self = p.from === p.to && !c.autapses;
  if (c.type === 'all-to-all') return self ? nPost - 1 : nPost;
  if (c.type === 'fixed-indegree') return (c.C * nPost) / nPre;
  return c.p * (self ? nPost - 1 : nPost);
}

function runOnce(level) {
  const out = mkdtempSync(join(tmpdir(), 'mesostp-bench-'));
  try {
    const args = ['bin/mesostp.js', 'run', file, '--level', level, '--trials', String(trials), '--out', out];
    if (level === 'micro-cpu') args.push('--threads', '1');
    execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    let events = 0;
    for (const p of scenario.projections) {
      const spikes = s.populations[p.from].rateHz * scenario.populations[p.from].N * scenario.run.duration * trials;
      events += spikes * meanOutDegree(p);
    }
    return { level, wallSeconds: s.wallSeconds, neuronStepsPerSecond: (trials * neurons * steps) / s.wallSeconds, eventsPerSecond: events / s.wallSeconds, adapter: s.engine.adapter ?? null };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const results = [];
for (let r = 0; r < Number(values.repeat); r++) for (const level of ['micro-gpu', 'micro-cpu']) results.push(runOnce(level));
const fmt = (x) => x.toExponential(2);
console.log(`${file}: ${trials} trials × ${scenario.run.duration} s (${steps} steps), ${neurons} neurons per trial`);
for (const r of results) console.log(`  ${r.level.padEnd(10)} ${r.wallSeconds.toFixed(2).padStart(8)} s   ${fmt(r.neuronStepsPerSecond)} neuron-steps/s   ${fmt(r.eventsPerSecond)} synaptic events/s${r.adapter ? `   (${r.adapter})` : ''}`);
const med = (level) => { const w = results.filter((r) => r.level === level).map((r) => r.wallSeconds).sort((a, b) => a - b); return w[Math.floor(w.length / 2)]; };
console.log(`  micro-gpu / micro-cpu (1 thread) speed ratio: ${(med('micro-cpu') / med('micro-gpu')).toFixed(2)}×`);
if (values.json) writeFileSync(values.json, JSON.stringify({ scenario: file, trials, steps, neurons, results }, null, 2));

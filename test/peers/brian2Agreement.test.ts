/**
 * Cross-simulator agreement (issue 19, item 4): each scenario of scenarios/agreement runs in
 * micro-cpu and, exported with `writeBrian2Export`, in Brian2 (its numpy target, which needs no
 * compiler), and the two runs must agree in distribution: the same network (the export carries
 * mesostp's connectivity), other random numbers. compareAgreement (src/analysis/agreement.ts)
 * weighs every summary quantity (rates, input means, STP means) and the per-trial Fano factors
 * and input s.d.s against their standard errors, at α = 0.01 with a Bonferroni bound over the
 * quantities of a comparison, and compareRuns' time courses bin by bin. Current-based scenarios
 * run in both integration modes, each engine in the same one.
 *
 * Brian2 is installed by scripts/setup.sh; without it these tests fail (they are the only check
 * that the export reproduces the model). The Python runs go one at a time while micro-cpu runs on
 * this process's thread, so the file keeps two cores busy; its timings are printed per case.
 * `node bench/run.mjs bench/agreement.ts` writes the same comparisons, with more trials, into
 * docs/agreement.md.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Brian2Probe, probeBrian2 } from '../../bench/peers/brian2';
import { AGREEMENT_TABLE_HEADER, type Agreement, agreementRows, compareAgreement } from '../../src/analysis/agreement';
import { writeBrian2Export } from '../../src/export/writeBrian2';
import { writeRecording } from '../../src/io/recordingFiles';
import { readRunFolders } from '../../src/io/runFolder';
import type { Scenario } from '../../src/model/scenario';
import { parseScenario } from '../../src/model/validate';
import { run } from '../../src/run';

const execFileAsync = promisify(execFile);
const root = resolve(__dirname, '../..');

const AGREEMENT_SCENARIOS = ['ff-tm-depression', 'ff-tm-facilitation', 'rec-popspikes', 'ei-kinetic', 'nmda', 'three-state', 'lif-hard'];

type Mode = 'held' | 'exact';

/** The scenario in one integration mode, or null where the validator refuses that mode (conductances, kinetic receptors). */
function inMode(name: string, mode: Mode): Scenario | null {
  const json = JSON.parse(readFileSync(join(root, 'scenarios', 'agreement', `${name}.json`), 'utf8'));
  try {
    return parseScenario({ ...json, run: { ...json.run, integration: mode } });
  } catch {
    return null;
  }
}

interface Case {
  name: string;
  mode: Mode;
  scenario: Scenario;
}

const CASES: Case[] = AGREEMENT_SCENARIOS.flatMap((name) =>
  (['held', 'exact'] as const).flatMap((mode) => {
    const scenario = inMode(name, mode);
    return scenario ? [{ name, mode, scenario }] : [];
  }),
);

interface CaseRuns {
  micro: string;
  brian2: string;
  microSeconds: number;
  brian2Seconds: number;
}

let probe: Brian2Probe = { refused: 'not probed yet' };
let work = '';
const runs = new Map<Case, Promise<CaseRuns>>();
const report: string[] = [];

/** Runs `task` after every task queued before it on the same queue. */
function queue() {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const next = last.then(task, task);
    last = next.catch(() => undefined);
    return next;
  };
}

async function runMicro(c: Case, dir: string): Promise<number> {
  const started = performance.now();
  await writeRecording(await run(c.scenario, { level: 'micro-cpu' }), dir);
  return (performance.now() - started) / 1000;
}

async function runBrian2(c: Case, python: string, dir: string): Promise<number> {
  const script = join(work, `${c.name}-${c.mode}`, 'model.py');
  mkdirSync(join(work, `${c.name}-${c.mode}`), { recursive: true });
  await writeBrian2Export(c.scenario, script, { integration: c.mode });
  const started = performance.now();
  try {
    // Brian2's own random numbers, seeded apart from the scenario's (which drew the shared network).
    await execFileAsync(python, ['-B', '-W', 'ignore', script, '--out', dir, '--target', 'numpy', '--seed', String(c.scenario.run.seed + 1)], {
      maxBuffer: 1 << 26,
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
      timeout: 600_000,
    });
  } catch (error) {
    const e = error as { stderr?: string };
    throw new Error(`Brian2 failed on ${script}: ${(e.stderr ?? String(error)).trim().split('\n').slice(-15).join('\n')}`);
  }
  return (performance.now() - started) / 1000;
}

beforeAll(async () => {
  probe = await probeBrian2(join(root, 'bin', 'mesostp.js'));
  if ('refused' in probe) return;
  const { python } = probe;
  mkdirSync(join(root, 'test-output'), { recursive: true });
  work = mkdtempSync(join(root, 'test-output', 'brian2-agreement-'));
  // One Python at a time beside micro-cpu on this thread: two cores busy, and in case order so
  // that the first tests can finish while later runs go on.
  const python1 = queue();
  const micro1 = queue();
  for (const c of CASES) {
    const dir = join(work, `${c.name}-${c.mode}`);
    const brian2 = python1(() => runBrian2(c, python, join(dir, 'brian2')));
    const micro = micro1(() => runMicro(c, join(dir, 'micro-cpu')));
    const both = Promise.all([micro, brian2]).then(([microSeconds, brian2Seconds]) => ({
      micro: join(dir, 'micro-cpu'),
      brian2: join(dir, 'brian2'),
      microSeconds,
      brian2Seconds,
    }));
    // Awaited by the case's test; until then a failure must not count as unhandled.
    both.catch(() => undefined);
    runs.set(c, both);
  }
}, 180_000);

afterAll(() => {
  if (report.length > 0) {
    mkdirSync(join(root, 'test-output'), { recursive: true });
    writeFileSync(join(root, 'test-output', 'brian2-agreement.md'), `${[...AGREEMENT_TABLE_HEADER, ...report].join('\n')}\n`);
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The quantities and courses that differ, and the notes, for a failure message. */
function explain(c: Agreement): string {
  const lines = [
    ...c.quantities.filter((q) => q.verdict !== 'agree').map((q) => `${q.name}: mesostp ${q.a}, Brian2 ${q.b}, z ${q.z} (bound ${c.zCritical.toFixed(2)})`),
    ...c.traces
      .filter((t) => t.verdict !== 'agree')
      .map((t) => `${t.name}: |z| ${Math.abs(t.worstZ).toFixed(2)} at bin ${t.worstBin} (bound ${c.zCriticalBins.toFixed(2)})`),
    ...c.notes.map((n) => `note: ${n}`),
  ];
  return lines.join('\n');
}

describe('Brian2 export against micro-cpu (Brian2 is installed by scripts/setup.sh)', () => {
  it('Brian2 is found', () => {
    expect('refused' in probe ? probe.refused : '').toBe('');
  });

  it('covers every scenario of scenarios/agreement, current-based ones in both integration modes', () => {
    expect(CASES.map((c) => `${c.name} ${c.mode}`)).toEqual([
      'ff-tm-depression held',
      'ff-tm-depression exact',
      'ff-tm-facilitation held',
      'ff-tm-facilitation exact',
      'rec-popspikes held',
      'rec-popspikes exact',
      'ei-kinetic held',
      'nmda held',
      'three-state held',
      'three-state exact',
      'lif-hard held',
      'lif-hard exact',
    ]);
  });

  for (const c of CASES)
    it(`${c.name} (${c.mode}): rates, inputs, STP, Fano factors and input s.d.s agree`, async () => {
      if ('refused' in probe) throw new Error(probe.refused);
      const r = await runs.get(c)!;
      const {
        summaries: [micro, brian2],
        read,
      } = readRunFolders(r.micro, r.brian2);
      expect(brian2.level).toBe('brian2');
      expect([brian2.trials, brian2.completedDuration]).toEqual([micro.trials, micro.completedDuration]);
      const a = compareAgreement(c.scenario, micro, brian2, read, { alpha: 0.01 });
      report.push(...agreementRows(c.name, c.mode, a));
      const worst = a.quantities.reduce((m, q) => Math.max(m, Math.abs(q.z ?? 0)), 0);
      const worstBin = a.traces.reduce((m, t) => Math.max(m, Math.abs(t.worstZ)), 0);
      console.log(
        `[mesostp] brian2 agreement ${c.name} (${c.mode}): micro-cpu ${r.microSeconds.toFixed(1)} s, Brian2 numpy ${r.brian2Seconds.toFixed(1)} s; largest |z| ${worst.toFixed(2)} of ${a.quantities.length} quantities (bound ${a.zCritical.toFixed(2)}), ${worstBin.toFixed(2)} over the bins (bound ${a.zCriticalBins.toFixed(2)})`,
      );
      expect(a.quantities.length).toBeGreaterThanOrEqual(6);
      expect(a.quantities.every((q) => q.verdict !== 'no uncertainty')).toBe(true);
      expect(a.verdict, explain(a)).toBe('agree');
      expect(a.tracesVerdict, explain(a)).toBe('agree');
    }, 600_000);
});

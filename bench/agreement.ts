/**
 * docs/agreement.md: mesostp's micro-cpu against Brian2 running the exported scenario
 * (`mesostp export brian2`), scenario by scenario of scenarios/agreement, with more trials than
 * the test suite affords (test/peers/brian2Agreement.test.ts makes the same comparisons):
 *
 * - each scenario in each integration mode it allows, both simulators in the same mode;
 * - for current-based scenarios also mesostp's held input against Brian2's exact integration,
 *   at dt and at dt/2: the difference the held input makes (docs/step-semantics.md, "Side by
 *   side"), which is first order in dt and should halve with it.
 *
 * Run from a checkout (Brian2 from scripts/setup.sh; MESOSTP_PYTHON picks the interpreter):
 *   node bench/run.mjs bench/agreement.ts [--trials B] [--only NAME,...] [--target numpy|cython]
 *     [--alpha A] [--out docs/agreement.md] [--keep DIR]
 * Python runs one at a time while micro-cpu runs on the main thread (two cores busy).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { AGREEMENT_TABLE_HEADER, type Agreement, agreementRows, compareAgreement, formatNumber } from '../src/analysis/agreement';
import { writeBrian2Export } from '../src/export/writeBrian2';
import { writeRecording } from '../src/io/recordingFiles';
import { readRunFolders } from '../src/io/runFolder';
import type { Scenario } from '../src/model/scenario';
import { parseScenario } from '../src/model/validate';
import { run } from '../src/run';
import { probeBrian2 } from './peers/brian2';

const execFileAsync = promisify(execFile);

/** The checkout: bench/run.mjs bundles this file into test-output/, so it is found from the working folder or above it. */
function checkoutRoot(): string {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    try {
      readdirSync(join(dir, 'scenarios', 'agreement'));
      return dir;
    } catch {
      if (dirname(dir) === dir) throw new Error('run bench/agreement.ts from the mesostp checkout (scenarios/agreement not found)');
    }
  }
}

type Mode = 'held' | 'exact';

const ms = (seconds: number) => `${+(1000 * seconds).toPrecision(6)} ms`;

/** The scenario with these settings, or null where the validator refuses them (exact with conductances). */
function variantOf(json: Record<string, any>, o: { mode: Mode; trials: number; halfDt: boolean }): Scenario | null {
  const dt = o.halfDt ? json.run.dt / 2 : json.run.dt;
  try {
    return parseScenario({ ...json, run: { ...json.run, integration: o.mode, trials: o.trials, dt } });
  } catch {
    return null;
  }
}

/** One run to make: an engine on a scenario variant; keyed so that comparisons can share runs. */
interface RunSpec {
  key: string;
  engine: 'micro-cpu' | 'brian2';
  scenario: Scenario;
  mode: Mode;
  dir: string;
}

interface Comparison {
  scenario: string;
  label: string;
  /** The scenario both runs share the network of (for the per-trial quantities' N and bins). */
  of: Scenario;
  a: RunSpec;
  b: RunSpec;
  /** Part of the held-against-exact study (dt, dt/2), or a same-mode comparison. */
  study: 'same' | 'held-vs-exact';
  dt: number;
}

interface Timed {
  seconds: number;
}

function usage(): string {
  return `node bench/run.mjs bench/agreement.ts [--trials B] [--only NAME,...] [--target numpy|cython] [--alpha A] [--out FILE] [--keep DIR]

Runs every scenario of scenarios/agreement in micro-cpu and, exported, in Brian2, and writes the
comparison (docs/agreement.md by default). --trials B (default 64) sets run.trials of every run;
--keep DIR keeps the run folders there (mesostp compare reads them).`;
}

export async function main(args: string[]): Promise<number> {
  let values: { trials?: string; only?: string; target?: string; alpha?: string; out?: string; keep?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        trials: { type: 'string' },
        only: { type: 'string' },
        target: { type: 'string' },
        alpha: { type: 'string' },
        out: { type: 'string' },
        keep: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage()}`);
    return 2;
  }
  if (values.help) {
    console.log(usage());
    return 0;
  }
  const trials = Number(values.trials ?? 64);
  const alpha = Number(values.alpha ?? 0.01);
  const target = values.target ?? 'numpy';
  if (!(Number.isInteger(trials) && trials >= 2) || !(alpha > 0 && alpha < 1) || !['numpy', 'cython'].includes(target)) {
    console.error(`--trials takes an integer ≥ 2, --alpha a number in (0, 1), --target numpy or cython\n\n${usage()}`);
    return 2;
  }
  const root = checkoutRoot();
  const probe = await probeBrian2(join(root, 'bin', 'mesostp.js'));
  if ('refused' in probe) {
    console.error(probe.refused);
    return 1;
  }
  const folder = join(root, 'scenarios', 'agreement');
  const all = readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .map((f) => basename(f, '.json'))
    .sort();
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((n) => !all.includes(n)) ?? [];
  if (unknown.length > 0) {
    console.error(`--only: no scenario ${unknown.join(', ')} in scenarios/agreement (there are ${all.join(', ')})`);
    return 2;
  }
  const names = only ?? all;
  const work = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), 'mesostp-agreement-'));
  mkdirSync(work, { recursive: true });

  const specs = new Map<string, RunSpec>();
  const spec = (name: string, engine: RunSpec['engine'], scenario: Scenario, mode: Mode, halfDt: boolean): RunSpec => {
    const key = `${name}-${engine}-${mode}${halfDt ? '-half-dt' : ''}`;
    if (!specs.has(key)) specs.set(key, { key, engine, scenario, mode, dir: join(work, key) });
    return specs.get(key)!;
  };
  const comparisons: Comparison[] = [];
  for (const name of names) {
    const json = JSON.parse(readFileSync(join(folder, `${name}.json`), 'utf8'));
    for (const mode of ['held', 'exact'] as const) {
      const s = variantOf(json, { mode, trials, halfDt: false });
      if (!s) continue;
      comparisons.push({
        scenario: name,
        label: mode,
        of: s,
        a: spec(name, 'micro-cpu', s, mode, false),
        b: spec(name, 'brian2', s, mode, false),
        study: 'same',
        dt: s.run.dt,
      });
    }
    for (const halfDt of [false, true]) {
      const held = variantOf(json, { mode: 'held', trials, halfDt });
      const exact = variantOf(json, { mode: 'exact', trials, halfDt });
      if (!held || !exact) continue;
      comparisons.push({
        scenario: name,
        label: `mesostp held, Brian2 exact, dt = ${ms(held.run.dt)}`,
        of: held,
        a: spec(name, 'micro-cpu', held, 'held', halfDt),
        b: spec(name, 'brian2', exact, 'exact', halfDt),
        study: 'held-vs-exact',
        dt: held.run.dt,
      });
    }
  }

  // Python one run at a time, micro-cpu on this thread: both cores busy, runs in spec order.
  const chains: Record<RunSpec['engine'], Promise<unknown>> = { 'micro-cpu': Promise.resolve(), brian2: Promise.resolve() };
  const done = new Map<string, Promise<Timed>>();
  const started = performance.now();
  for (const s of specs.values()) {
    const task = s.engine === 'micro-cpu' ? () => runMicro(s) : () => runBrian2(s, probe.python, target);
    const p = chains[s.engine].then(task);
    chains[s.engine] = p.catch(() => undefined);
    p.then(
      (t) => console.log(`${s.key}: ${t.seconds.toFixed(1)} s (${((performance.now() - started) / 1000).toFixed(0)} s since the start)`),
      () => undefined,
    );
    done.set(s.key, p);
  }

  const results: { c: Comparison; agreement: Agreement; seconds: [number, number] }[] = [];
  for (const c of comparisons) {
    const [ta, tb] = await Promise.all([done.get(c.a.key)!, done.get(c.b.key)!]);
    const {
      summaries: [a, b],
      read,
    } = readRunFolders(c.a.dir, c.b.dir);
    results.push({ c, agreement: compareAgreement(c.of, a, b, read, { alpha }), seconds: [ta.seconds, tb.seconds] });
  }
  const totalSeconds = (performance.now() - started) / 1000;
  // Where the run folders were kept does not change the results: the command leaves it out.
  const shown = args.filter((x, i) => !x.startsWith('--keep') && args[i - 1] !== '--keep');
  const command = ['node bench/run.mjs bench/agreement.ts', ...shown].join(' ');
  const out = resolve(root, values.out ?? join('docs', 'agreement.md'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, report(results, { command, trials, alpha, target, brian2: probe.version, totalSeconds }));
  console.log(`wrote ${out} (${totalSeconds.toFixed(0)} s)`);
  if (!values.keep) rmSync(work, { recursive: true, force: true });
  const same = results.filter((r) => r.c.study === 'same');
  return same.every((r) => r.agreement.verdict === 'agree') ? 0 : 1;
}

async function runMicro(s: RunSpec): Promise<Timed> {
  const t = performance.now();
  await writeRecording(await run(s.scenario, { level: 'micro-cpu' }), s.dir);
  return { seconds: (performance.now() - t) / 1000 };
}

async function runBrian2(s: RunSpec, python: string, target: string): Promise<Timed> {
  const script = join(s.dir, 'export', 'model.py');
  mkdirSync(dirname(script), { recursive: true });
  await writeBrian2Export(s.scenario, script, { integration: s.mode });
  const t = performance.now();
  try {
    // Brian2's random numbers seeded apart from the scenario's seed, which drew the shared network.
    await execFileAsync(python, ['-B', '-W', 'ignore', script, '--out', s.dir, '--target', target, '--seed', String(s.scenario.run.seed + 1)], {
      maxBuffer: 1 << 26,
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    });
  } catch (error) {
    const e = error as { stderr?: string };
    throw new Error(`Brian2 failed on ${script}: ${(e.stderr ?? String(error)).trim().split('\n').slice(-15).join('\n')}`);
  }
  return { seconds: (performance.now() - t) / 1000 };
}

function report(
  results: { c: Comparison; agreement: Agreement; seconds: [number, number] }[],
  o: { command: string; trials: number; alpha: number; target: string; brian2: string; totalSeconds: number },
): string {
  const same = results.filter((r) => r.c.study === 'same');
  const study = results.filter((r) => r.c.study === 'held-vs-exact');
  const minutes = Math.max(1, Math.round(o.totalSeconds / 60));
  const worst = (a: Agreement) => a.quantities.reduce((m, q) => Math.max(m, Math.abs(q.z ?? 0)), 0);
  const lines = [
    '# mesostp and Brian2: the same networks, compared',
    '',
    `Each scenario of [scenarios/agreement](../scenarios/agreement) runs in mesostp's micro-cpu and in Brian2 ${o.brian2}`,
    `(its ${o.target} target) from \`mesostp export brian2\`, with ${o.trials} trials each. The export carries`,
    "mesostp's connectivity and per-synapse parameters, so both simulate the same network with different",
    'random numbers: they must agree in distribution. Quantities: the rates, input means and STP means of',
    "summary.json (`mesostp compare`), and from every trial's arrays the Fano factor of the population",
    'spike count in 10 ms windows and the s.d. over time of the input (population mean and sampled',
    'neurons), each a mean over trials with its standard error. z is the difference over its standard',
    `error; a quantity differs when |z| exceeds the Bonferroni bound for α = ${o.alpha} over the quantities of`,
    "its comparison (Student's t with the trials' degrees of freedom); each time course (per-bin trial",
    'means) is compared bin by bin against the bound over all its bins (src/analysis/agreement.ts).',
    '',
    `Generated by the command below, in about ${minutes} minute${minutes === 1 ? '' : 's'} on ${cpus().length} cores (\`--keep DIR\` keeps the run`,
    'folders, which `mesostp compare` reads):',
    '',
    '```sh',
    o.command,
    '```',
    '',
    '## Summary',
    '',
    'Runs in the same integration mode must agree; "mesostp held, Brian2 exact" rows measure the held',
    "input's first-order error instead (next section), and differ where it exceeds the standard errors.",
    '',
    '| scenario | comparison | quantities that agree | largest \\|z\\| (bound) | time courses | micro-cpu (s) | Brian2 (s) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      ({ c, agreement: a, seconds }) =>
        `| ${c.scenario} | ${c.label} | ${a.quantities.filter((q) => q.verdict === 'agree').length} of ${a.quantities.length} | ${worst(a).toFixed(2)} (${a.zCritical.toFixed(2)}) | ${a.tracesVerdict} | ${seconds[0].toFixed(1)} | ${seconds[1].toFixed(1)} |`,
    ),
    '',
  ];
  if (study.length > 0) {
    lines.push(
      '## The held input against exact integration',
      '',
      'mesostp holds each filtered input at its value at the step\'s start (`run.integration: "held"`); Brian2',
      'integrates membrane and filters together when the export is made with `--integration exact`. The',
      'difference is first order in dt (docs/step-semantics.md): halving dt should halve it. The recorded',
      'input of an exact run is the held input that moves the membrane as the filters do, Σ c_j s_j, below',
      'the filter output by about dt/(2τs) (1.7 % for τs = 3 ms at dt = 0.1 ms), so its input means differ',
      'from a held run by that much by definition; the rates differ by what the held input does to the',
      'membrane. Relative differences (Brian2 exact − mesostp held)/mesostp held, with z:',
      '',
      '| scenario | quantity | dt | difference | z | dt/2 | difference | z |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const name of [...new Set(study.map((r) => r.c.scenario))]) {
      const [full, half] = [...study.filter((r) => r.c.scenario === name)].sort((x, y) => y.c.dt - x.c.dt);
      if (!full || !half) continue;
      for (const q of full.agreement.quantities) {
        if (!/^rate|^input mean|^input s\.d\./.test(q.name)) continue;
        const h = half.agreement.quantities.find((x) => x.name === q.name);
        const rel = (x: typeof q | undefined) => (x?.relative === null || x === undefined ? '—' : `${(100 * x.relative).toFixed(2).replace('-', '−')} %`);
        lines.push(
          `| ${name} | ${q.name} | ${ms(full.c.dt)} | ${rel(q)} | ${formatNumber(q.z, 3)} | ${ms(half.c.dt)} | ${rel(h)} | ${formatNumber(h?.z ?? null, 3)} |`,
        );
      }
    }
    lines.push('');
  }
  lines.push('## Every quantity', '', 'mesostp is run A, Brian2 run B; the difference is B − A.', '');
  for (const name of [...new Set(results.map((r) => r.c.scenario))]) {
    lines.push(`### ${name}`, '', ...AGREEMENT_TABLE_HEADER);
    for (const r of results.filter((x) => x.c.scenario === name)) lines.push(...agreementRows(name, r.c.label, r.agreement));
    const notes = [...new Set(results.filter((x) => x.c.scenario === name).flatMap((r) => r.agreement.notes))];
    lines.push('', ...notes.map((n) => `Note: ${n}`), ...(notes.length > 0 ? [''] : []));
  }
  if (same.some((r) => r.agreement.verdict === 'differ'))
    lines.push('**Some comparisons in the same integration mode differ**: see the rows marked **differ** above.', '');
  return `${lines.join('\n')}\n`;
}

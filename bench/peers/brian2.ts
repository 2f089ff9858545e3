/**
 * Brian2 as a benchmark peer (`mesostp bench --peers`): the parameter file its scripts read,
 * written from the very scenario the mesostp engines run, and one measurement of a script in a
 * fresh Python process. The scripts (./brian2/*.py) are written by hand, one per workload; the
 * parameter file carries only what they implement, and a scenario outside that is refused with
 * the reason, so a peer never runs a different network than the one it is compared with.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseScenario } from '../../src/model/validate';
import { compileNetwork } from '../../src/compile';
import { stepCount, stepsPerBin } from '../../src/model/recording';
import type { BenchCase, PeerEngine, PeerScript } from '../cases';
import { emptyMeasurement, fromSummary, type Measurement } from '../measure';

const execFileAsync = promisify(execFile);

/** How to get Brian2, as a refused peer says it. */
export const BRIAN2_INSTALL =
  'install it with `bash scripts/install-system-deps.sh --brian` (Debian 12, as root; scripts/setup.sh does this) or `pip install brian2` with a C++ compiler and make; MESOSTP_PYTHON names the interpreter that has it';

/** The Brian2 code generation target of each peer engine. */
export const PEER_TARGET: Record<PeerEngine, 'cython' | 'cpp_standalone'> = {
  'brian2-cython': 'cython',
  'brian2-cpp': 'cpp_standalone',
};

export const PEER_LABEL: Record<PeerEngine, string> = {
  'brian2-cython': 'Brian2 (cython, 1 thread)',
  'brian2-cpp': 'Brian2 (C++ standalone, OpenMP all cores)',
};

/** A Poisson population of the parameter file: its rate is constant. */
export interface Brian2Source {
  name: string;
  N: number;
  rateHz: number;
}

/** An escape-noise LIF population (docs/step-semantics.md step 3); refSteps = round(tRef/dt). */
export interface Brian2Neurons {
  name: string;
  N: number;
  tauM: number;
  mu: number;
  uReset: number;
  V0: number;
  uTh: number;
  c: number;
  deltaU: number;
  refSteps: number;
}

/** Tsodyks–Markram parameters; the depression model is U0 = 0, τF = 0 (docs/models.md §2). */
export interface Brian2Stp {
  model: 'tsodyks-markram' | 'depression';
  U: number;
  U0: number;
  tauD: number;
  tauF: number;
}

export interface Brian2Projection {
  name: string;
  from: string;
  connectivity: { type: 'all-to-all'; autapses: boolean } | { type: 'fixed-indegree'; C: number; autapses: boolean };
  weight: number;
  delaySteps: number;
  /** Exponential filter: its τ, the kick per unit efficacy and J (1/τs for 'integral'), and the factor from g to input (τm for 'integral'). */
  tauS: number;
  kickScale: number;
  inputScale: number;
  stp: Brian2Stp | null;
}

/** What a Brian2 script reads (bench/peers/brian2/common.py). */
export interface Brian2Params {
  script: PeerScript;
  scenario: string;
  dt: number;
  steps: number;
  trials: number;
  seed: number;
  binSteps: number;
  sources: Brian2Source;
  neurons: Brian2Neurons;
  projections: Brian2Projection[];
  /** Recorded input: how many neurons of every trial (0: none); whether the STP state is recorded. */
  record: { inputNeurons: number; stp: boolean };
}

/** A scenario a Brian2 script does not implement. */
export class PeerRefusal extends Error {}

const refuse = (script: string, why: string): never => {
  throw new PeerRefusal(`brian2 peer (${script}.py): ${why}`);
};

/** The parameter file of a case's Brian2 script, from the scenario mesostp runs (parsed, so every default is filled in). */
export function brian2Params(c: BenchCase): Brian2Params {
  const script = c.peer ?? refuse('none', `the case ${c.workload} (${c.variant}) has no Brian2 script`);
  const parsed = parseScenario(c.scenario);
  const s = parsed as unknown as Record<string, any>;
  // Steps, kick and input scales as the engines derive them (src/compile, src/model/recording), so the
  // scripts cannot drift from them.
  const net = compileNetwork(parsed, { engine: 'micro-cpu' });
  const pops = Object.entries(s.populations as Record<string, Record<string, any>>);
  const src = pops.filter(([, p]) => p.model === 'poisson');
  const lif = pops.filter(([, p]) => p.model === 'glif');
  if (src.length !== 1 || lif.length !== 1 || pops.length !== 2) refuse(script, 'it takes one Poisson population and one escape-noise LIF (glif) population');
  const [srcName, srcPop] = src[0];
  const [popName, pop] = lif[0];
  if (srcPop.rate.type !== 'constant') refuse(script, `the rate of "${srcName}" is ${srcPop.rate.type}; it implements a constant rate`);
  if (pop.mu.type !== 'constant') refuse(script, `the drive μ of "${popName}" is ${pop.mu.type}; it implements a constant μ`);
  if (pop.adaptation.length > 0) refuse(script, `"${popName}" has threshold adaptation, which it does not implement`);
  const neurons: Brian2Neurons = {
    name: popName,
    N: pop.N,
    tauM: pop.tauM,
    mu: pop.mu.value,
    uReset: pop.uReset,
    V0: pop.V0 ?? pop.uReset,
    uTh: pop.uTh,
    c: pop.c,
    deltaU: pop.deltaU,
    refSteps: net.populations.find((q) => q.name === popName)!.refSteps,
  };
  const projections: Brian2Projection[] = (s.projections as Record<string, any>[]).map((p) => {
    const name: string = p.name ?? `${p.from}->${p.to}`;
    if (p.to !== popName) refuse(script, `projection "${name}" does not end at "${popName}"`);
    if (p.filter.type !== 'exponential') refuse(script, `projection "${name}" has a ${p.filter.type} filter; it implements the exponential filter`);
    if (p.output.type !== 'current') refuse(script, `projection "${name}" has ${p.output.type} output; it implements current output`);
    if (p.heterogeneity !== undefined) refuse(script, `projection "${name}" has heterogeneous parameters, which it does not implement`);
    const cn = p.connectivity;
    if (cn.perTrial) refuse(script, `projection "${name}" draws a network per trial; it shares one network across trials`);
    if (cn.type !== 'all-to-all' && cn.type !== 'fixed-indegree')
      refuse(script, `projection "${name}" has ${cn.type} connectivity; it implements all-to-all and fixed in-degree`);
    const compiled = net.projections.find((q) => q.name === name)!;
    let stp: Brian2Stp | null = null;
    if (p.stp.model === 'tsodyks-markram') stp = { model: 'tsodyks-markram', U: p.stp.U, U0: p.stp.U0, tauD: p.stp.tauD, tauF: p.stp.tauF };
    else if (p.stp.model === 'depression') stp = { model: 'depression', U: p.stp.U, U0: 0, tauD: p.stp.tauD, tauF: 0 };
    else if (p.stp.model !== 'none') refuse(script, `projection "${name}" has ${p.stp.model} STP; it implements Tsodyks–Markram and depression`);
    return {
      name,
      from: p.from,
      connectivity: cn.type === 'all-to-all' ? { type: 'all-to-all', autapses: cn.autapses } : { type: 'fixed-indegree', C: cn.C, autapses: cn.autapses },
      weight: p.weight,
      delaySteps: compiled.delaySteps,
      tauS: p.filter.tau,
      kickScale: compiled.kickScale,
      inputScale: compiled.outScale,
      stp,
    };
  });
  const fromSource = projections.filter((p) => p.from === srcName);
  const recurrent = projections.filter((p) => p.from === popName);
  if (script === 'feedforward_mc' && (fromSource.length !== 1 || recurrent.length !== 0))
    refuse(script, `it takes one projection "${srcName}" → "${popName}" and no other`);
  if (script === 'recurrent') {
    if (fromSource.length !== 1 || recurrent.length !== 1)
      refuse(script, `it takes one projection "${srcName}" → "${popName}" and one "${popName}" → "${popName}"`);
    // The recurrent efficacy is the presynaptic neuron's last one, read when the spike arrives: no newer spike may come first.
    const rec = recurrent[0];
    if (rec.stp !== null && rec.delaySteps > neurons.refSteps + 1)
      refuse(script, `the delay of "${rec.name}" (${rec.delaySteps} steps) exceeds the refractory period + 1 step (${neurons.refSteps + 1})`);
  }
  const r = s.record;
  if (r.spikes.length > 0) refuse(script, 'it does not record spike times');
  if (r.inputs.length > 1 || (r.inputs.length === 1 && r.inputs[0].population !== popName)) refuse(script, `it records the input of "${popName}" only`);
  return {
    script,
    scenario: s.name,
    dt: parsed.run.dt,
    steps: stepCount(parsed),
    trials: s.run.trials,
    seed: s.run.seed,
    binSteps: stepsPerBin(parsed),
    sources: { name: srcName, N: srcPop.N, rateHz: srcPop.rate.value },
    neurons,
    projections,
    record: { inputNeurons: r.inputs[0]?.neurons ?? 0, stp: r.stp },
  };
}

/** The folder of the Brian2 scripts: bench/peers/brian2 of the checkout the CLI runs from (null in an installed package, which has no bench/). */
export function brian2ScriptsDir(cli: string): string | null {
  for (let dir = dirname(cli); ; dir = dirname(dir)) {
    const candidate = join(dir, 'bench', 'peers', 'brian2');
    if (existsSync(join(candidate, 'common.py'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** A Python that imports brian2, or why there is none. */
export type Brian2Probe = { python: string; version: string; scripts: string } | { refused: string };

/**
 * Finds the interpreter: MESOSTP_PYTHON if set, else `python3` on the PATH, else /usr/bin/python3
 * (Debian's python3-brian lives there, which a python3 of pyenv or a virtual environment first on
 * the PATH does not see).
 */
export async function probeBrian2(cli: string, env: NodeJS.ProcessEnv = process.env): Promise<Brian2Probe> {
  const scripts = brian2ScriptsDir(cli);
  if (scripts === null) return { refused: 'the Brian2 scripts (bench/peers/brian2) are not beside this CLI: run mesostp bench --peers from a checkout' };
  const candidates = env.MESOSTP_PYTHON ? [env.MESOSTP_PYTHON] : ['python3', '/usr/bin/python3'];
  const tried: string[] = [];
  for (const python of candidates) {
    try {
      const { stdout } = await execFileAsync(python, ['-W', 'ignore', '-c', 'import brian2; print(brian2.__version__)'], { timeout: 120_000 });
      return { python, version: stdout.trim(), scripts };
    } catch (error) {
      const e = error as { code?: string; stderr?: string };
      tried.push(`${python}: ${e.code === 'ENOENT' ? 'not found' : (e.stderr ?? '').trim().split('\n').pop() || String(error)}`);
    }
  }
  return { refused: `Brian2 is not installed (${tried.join('; ')}): ${BRIAN2_INSTALL}` };
}

/** What a script prints (its one JSON line). */
export interface Brian2Output {
  target: string;
  brian2: string;
  threads: number;
  trials: number;
  steps: number;
  dt: number;
  synapses: number;
  importSeconds: number;
  wallSeconds: number;
  setupSeconds: number;
  runSeconds: number;
  peakHostBytes: number | null;
  populations: Record<string, { spikesPerTrial: number; rateHz: number }>;
  /** The recorded input: its mean over every sample, and over the second half of the run the mean of every trial. */
  inputs?: Record<string, { mean: number; samples: number; trialMeansLastHalf: number[] }>;
  /** Mean u and x (x only for the depression model) of every STP projection at the end, and their s.d. over the state entries. */
  stpEnd?: Record<string, Record<string, number>>;
  stpEndSd?: Record<string, Record<string, number>>;
}

/** The last line of the script's stdout that is a JSON object (Brian2 may print warnings first). */
export function parseBrian2Output(stdout: string): Brian2Output {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .pop();
  if (line === undefined) throw new Error(`no JSON line in the script's output: ${stdout.slice(-500)}`);
  return JSON.parse(line) as Brian2Output;
}

/** The measurement of one peer run, in the terms of a mesostp run (work done from the scenario and the rates it produced). */
export function peerMeasurement(c: BenchCase, engine: PeerEngine, out: Brian2Output): Measurement {
  const summary = {
    trials: out.trials,
    completedDuration: out.steps * out.dt,
    wallSeconds: out.wallSeconds,
    populations: Object.fromEntries(Object.entries(out.populations).map(([k, v]) => [k, { rateHz: v.rateHz }])),
    engine: { setupSeconds: out.setupSeconds, ...(out.peakHostBytes === null ? {} : { peakHostBytes: out.peakHostBytes }) },
  };
  const m = fromSummary(c, engine, summary);
  return {
    ...m,
    stats: {
      rateHz: Object.fromEntries(Object.entries(out.populations).map(([k, v]) => [k, v.rateHz])),
      meanInput: out.inputs ? (Object.values(out.inputs)[0]?.mean ?? null) : null,
      stpEnd: out.stpEnd ?? {},
    },
    peer: { target: out.target, brian2: out.brian2, threads: out.threads, importSeconds: out.importSeconds, runSeconds: out.runSeconds },
  };
}

/** Brian2's targets as the scripts name them (numpy: no compilation, for tests at tiny sizes). */
export type Brian2Target = 'cython' | 'cpp_standalone' | 'numpy';

/**
 * Runs a Brian2 script on a parameter file in a fresh Python process and returns its output.
 * Throws with the last lines of its stderr when it fails.
 */
export async function runBrian2Script(
  probe: { python: string; scripts: string },
  params: Brian2Params,
  target: Brian2Target,
  threads?: number,
): Promise<Brian2Output> {
  const dir = mkdtempSync(join(tmpdir(), 'mesostp-brian2-'));
  try {
    const file = join(dir, 'params.json');
    writeFileSync(file, JSON.stringify(params));
    const args = ['-B', '-W', 'ignore', join(probe.scripts, `${params.script}.py`), file, '--target', target];
    if (target === 'cpp_standalone') args.push('--threads', String(threads ?? availableParallelism()), '--build-dir', join(dir, 'build'));
    // The cython and numpy targets run on one thread; keep libraries they load (numpy's BLAS) to one as well.
    const env = target === 'cpp_standalone' ? process.env : { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
    try {
      const { stdout } = await execFileAsync(probe.python, args, { maxBuffer: 1 << 26, env });
      return parseBrian2Output(stdout);
    } catch (error) {
      const e = error as { stderr?: string };
      const tail = (e.stderr ?? String(error))
        .split('\n')
        .filter((l) => l.trim())
        .slice(-3)
        .join(' ');
      throw new Error(`brian2 failed: ${tail}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a case's Brian2 script once for `engine` (cython: one thread; C++ standalone: OpenMP on every core). */
export async function measurePeer(c: BenchCase, engine: PeerEngine, probe: Brian2Probe): Promise<Measurement> {
  const refused = (why: string): Measurement => ({ ...emptyMeasurement(engine), refused: why });
  if ('refused' in probe) return refused(probe.refused);
  let params: Brian2Params;
  try {
    params = brian2Params(c);
  } catch (error) {
    if (error instanceof PeerRefusal) return refused(error.message);
    throw error;
  }
  try {
    return peerMeasurement(c, engine, await runBrian2Script(probe, params, PEER_TARGET[engine]));
  } catch (error) {
    return refused((error as Error).message);
  }
}

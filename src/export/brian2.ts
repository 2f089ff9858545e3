/**
 * `mesostp export brian2`: a scenario as a runnable, readable Brian2 script, so that a user can run
 * the very network mesostp runs in the simulator they already trust, and compare the two with
 * `mesostp compare` (the script writes what `mesostp run --out` writes; ./brian2Runtime.ts).
 *
 * The script builds the network with Brian2's own objects (NeuronGroup, Synapses, monitors) and
 * lets Brian2 integrate it; what it takes from mesostp is the definition of the model and of a
 * time step (docs/step-semantics.md) and the random network itself: the synapse lists and
 * per-synapse parameters mesostp drew are written beside the script as .npy files, so the
 * quenched disorder is identical and only the spike draws differ. docs/brian2-export.md explains
 * the translation; in short:
 *  - trials are copies of the network side by side in one Brian2 network (neuron b·N + i is
 *    neuron i of trial b);
 *  - an input that reaches the membrane at step n is added in step n − 1's synaptic slot, after
 *    Brian2's state update (so a delay of D steps is a Brian2 delay of (D − 1)·dt), and a
 *    run_regularly before the state update takes V_n, the drive μ(t_n) and, with
 *    run.integration 'held', the synaptic input held over the step;
 *  - with 'exact', Brian2's 'exact' method integrates membrane and filters together;
 *  - Tsodyks–Markram, depression and three-state STP are updated at each arrival in closed form
 *    (exact relaxation from the last update): the same efficacies as mesostp's update at emission;
 *  - the escape-noise hazard is evaluated at both ends of the step; refractoriness is (R + 1)·dt
 *    in Brian2's convention;
 *  - kinetic receptors keep one gate per presynaptic neuron (a NeuronGroup) whose step mean,
 *    integrated by Brian2, drives the postsynaptic conductance through a summed variable.
 * What Brian2 cannot be given in this form is refused with the field named (Brian2ExportError).
 */
import { compileNetwork, type CompiledProjection, type Network } from '../compile';
import { FILTER_KINETIC, NEURON_GLIF, NEURON_LIF, NEURON_POISSON } from '../compile/codes';
import { trialConnectivity } from '../compile/projection';
import type { Csr } from '../compile/connectivity';
import { projectionName, stepCount, stepsPerBin } from '../model/recording';
import type { Projection, Scenario, TimeFunction } from '../model/scenario';
import { timeFunctionAt } from '../model/timeFunction';
import { version } from '../version';
import { BRIAN2_RUNTIME } from './brian2Runtime';

/** A scenario the export cannot express; `path` is the JSON path of the field concerned. */
export class Brian2ExportError extends Error {
  override name = 'Brian2ExportError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

export interface Brian2ExportOptions {
  /** How the membrane sees the filtered input (default: the scenario's run.integration). */
  integration?: 'held' | 'exact';
  /** The data folder's path relative to the script (default "model_data"). */
  dataDir?: string;
}

export interface Brian2Export {
  /** The Python script. */
  script: string;
  /** Arrays the script loads from its data folder, by file stem (written as <stem>.npy). */
  data: Record<string, { data: Int32Array | Float64Array; shape: number[] }>;
}

/** A float as Python reads it back to the same double. */
function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`brian2 export: non-finite constant ${x}`);
  const s = String(x);
  return x < 0 ? `(${s})` : s;
}

/** Python string literal. */
function py(s: string): string {
  return JSON.stringify(s);
}

/** Lines of Brian2 equations or statements as an indented triple-quoted Python string (Brian2 strips the indentation). */
function pyLines(lines: string[], indent = '        '): string {
  if (lines.length === 0) return "''";
  if (lines.length === 1) return py(lines[0]);
  return `'''\n${lines.map((l) => indent + l).join('\n')}\n${indent}'''`;
}

/** The linear stages of a projection's postsynaptic filter, rise to output (compile/filter.ts). */
function linearStages(p: Projection): number[] {
  const f = p.filter;
  const own = f.type === 'exponential' ? [f.tau] : f.type === 'dual-exponential' ? [f.tauRise, f.tauDecay] : f.type === 'alpha' ? [f.tau, f.tau] : [];
  // Three-state STP's active state y is linear in the releases: one more stage in front.
  return p.stp.model === 'three-state' ? [p.stp.tauIn, ...own] : own;
}

/** The Brian2 expression of a parameter: a per-synapse variable where it is heterogeneous, else its value. */
type ParamExpr = (key: string, unit: 'second' | '1') => string;

/**
 * Brian2 statements that apply one presynaptic spike at time t to STP state held in variables
 * named by `v` (u, x, tl; three-state y, z, tl) and leave the efficacy (TM, depression) or
 * released amount (three-state) in `w`: exact relaxation from tl to t, then the update of
 * src/synapse (stpTsodyksMarkram.ts, stpDepression.ts, stpThreeState.ts), in that order.
 */
function stpSpikeCode(stp: Projection['stp'], v: Record<'u' | 'x' | 'y' | 'z' | 'tl', string>, w: string, param: ParamExpr): string[] {
  const decay = (key: string) => {
    const tau = param(key, 'second');
    // τ = 0: no memory at all (the variable is at rest whenever time has passed).
    if (tau === '0') return `int(t - ${v.tl} <= 0*second)`;
    return `exp(-(t - ${v.tl})/(${tau}))`;
  };
  switch (stp.model) {
    case 'none':
      return [`${w} = 1`];
    case 'tsodyks-markram':
      return [
        `${v.u} = ${param('U0', '1')} + (${v.u} - ${param('U0', '1')})*${decay('tauF')}`,
        `${v.x} = 1 + (${v.x} - 1)*${decay('tauD')}`,
        `${v.u} = ${v.u} + ${param('U', '1')}*(1 - ${v.u})`,
        `${w} = ${v.u}*${v.x}`,
        `${v.x} = ${v.x} - ${w}`,
        `${v.tl} = t`,
      ];
    case 'depression':
      return [`${v.x} = 1 + (${v.x} - 1)*${decay('tauD')}`, `${w} = ${param('U', '1')}*${v.x}`, `${v.x} = ${v.x} - ${w}`, `${v.tl} = t`];
    case 'three-state': {
      // x = 1 − y − z; y decays into z (τin), z recovers into x (τrec); the y → z transfer over
      // Δ is (y/τin)·∫ e^{−(Δ−s)/τrec} e^{−s/τin} ds, written with exprel so it holds for τin = τrec.
      const tauIn = param('tauIn', 'second');
      const tauRec = param('tauRec', 'second');
      const d = `(t - ${v.tl})`;
      const ra = `(1/(${tauIn}))`;
      const rb = `(1/(${tauRec}))`;
      const conv = `${d}*exp(-${d}*(${ra} + ${rb} - abs(${ra} - ${rb}))/2)*exprel(-${d}*abs(${ra} - ${rb}))`;
      return [
        `${v.z} = ${v.z}*exp(-${d}/(${tauRec})) + ${v.y}*${ra}*${conv}`,
        `${v.y} = ${v.y}*exp(-${d}/(${tauIn}))`,
        `${w} = ${param('U', '1')}*(1 - ${v.y} - ${v.z})`,
        `${v.y} = ${v.y} + ${w}`,
        `${v.tl} = t`,
      ];
    }
  }
}

/** Variable declarations of STP state named by `v`. */
function stpStateDecl(stp: Projection['stp'], v: Record<'u' | 'x' | 'y' | 'z' | 'tl', string>): string[] {
  switch (stp.model) {
    case 'none':
      return [];
    case 'tsodyks-markram':
      return [`${v.u} : 1`, `${v.x} : 1`, `${v.tl} : second`];
    case 'depression':
      return [`${v.x} : 1`, `${v.tl} : second`];
    case 'three-state':
      return [`${v.y} : 1`, `${v.z} : 1`, `${v.tl} : second`];
  }
}

/** The variables a recorder reads (state, then last-update time), and the model's kind. */
function stpRecordedVars(stp: Projection['stp'], v: Record<'u' | 'x' | 'y' | 'z' | 'tl', string>): string[] {
  switch (stp.model) {
    case 'tsodyks-markram':
      return [v.u, v.x, v.tl];
    case 'depression':
      return [v.x, v.tl];
    case 'three-state':
      return [v.y, v.z, v.tl];
    default:
      return [];
  }
}

/** Statements that set STP state at rest (u = U0, x = 1, y = z = 0, last update 0). */
function stpRestCode(obj: string, stp: Projection['stp'], v: Record<'u' | 'x' | 'y' | 'z' | 'tl', string>, U0: string): string[] {
  switch (stp.model) {
    case 'tsodyks-markram':
      return [`${obj}.${v.u} = ${U0}`, `${obj}.${v.x} = 1`];
    case 'depression':
      return [`${obj}.${v.x} = 1`];
    default:
      return [];
  }
}

const STP_PARAMS: Record<Projection['stp']['model'], string[]> = {
  none: [],
  'tsodyks-markram': ['U', 'U0', 'tauD', 'tauF'],
  depression: ['U', 'tauD'],
  'three-state': ['U', 'tauIn', 'tauRec'],
};

/** What the export refuses, with the field and the way out. */
function checkExportable(s: Scenario, integration: 'held' | 'exact'): void {
  s.projections.forEach((p, k) => {
    const at = `projections[${k}]`;
    const name = projectionName(p);
    if (p.output.type === 'conductance' && p.filter.type === 'delta')
      throw new Brian2ExportError(
        `${at}.filter`,
        `projection "${name}": a delta filter with conductance output is an instantaneous conductance pulse whose jump mesostp applies jointly with every other pulse of the step (docs/step-semantics.md); Brian2's on_pre statements apply events one by one, so the export does not write it. Use an exponential filter with a short tau.`,
      );
    if (p.stp.model === 'three-state' && p.heterogeneity?.tauIn)
      throw new Brian2ExportError(
        `${at}.heterogeneity.tauIn`,
        `projection "${name}": a heterogeneous tauIn keeps three-state STP's y per synapse, which the export does not write; remove heterogeneity.tauIn.`,
      );
    if (p.filter.type === 'kinetic') {
      const hetStp = STP_PARAMS[p.stp.model].some((key) => p.heterogeneity?.[key as 'U'] !== undefined);
      if (hetStp)
        throw new Brian2ExportError(
          `${at}.heterogeneity`,
          `projection "${name}": a kinetic receptor with heterogeneous STP parameters needs one gate per synapse, which the export does not write; keep the STP parameters homogeneous (a heterogeneous weight is fine).`,
        );
    }
    if (integration === 'exact') {
      const post = s.populations[p.to];
      const tauM = post.model === 'poisson' ? Number.NaN : post.tauM;
      for (const tau of linearStages(p))
        if (Math.abs(tau - tauM) <= 1e-12 * tauM)
          throw new Brian2ExportError(
            `${at}.filter`,
            `projection "${name}": a filter time constant (${tau} s) equal to the membrane's tauM of "${p.to}" makes Brian2's 'exact' integrator divide by zero (it yields NaN); export with --integration held, or make the two differ.`,
          );
    }
  });
}

/** The kinetic receptor's pulse length in whole steps, or a refusal. */
function pulseSteps(p: Projection, pr: CompiledProjection, k: number, dt: number): number {
  const steps = Math.round(pr.kinetic!.pulseDuration / dt);
  if (steps < 1 || Math.abs(steps * dt - pr.kinetic!.pulseDuration) > 1e-9 * dt)
    throw new Brian2ExportError(
      `projections[${k}].filter.pulseDuration`,
      `projection "${projectionName(p)}": the transmitter pulse (${pr.kinetic!.pulseDuration} s) must last a whole number of time steps (dt = ${dt} s) for the export, which holds the transmitter concentration over each step; set pulseDuration to a multiple of dt.`,
    );
  return steps;
}

/** Synapse lists of one trial (shared) or of every trial (perTrial), as data arrays. */
function synapseLists(pr: CompiledProjection, trials: number): { pre: Int32Array; post: Int32Array; counts: Int32Array | null } {
  const flatten = (csrs: Csr[]) => {
    const total = csrs.reduce((a, c) => a + c.targets.length, 0);
    const pre = new Int32Array(total);
    const post = new Int32Array(total);
    let o = 0;
    for (const c of csrs) {
      for (let j = 0; j + 1 < c.rowStart.length; j++) for (let q = c.rowStart[j]; q < c.rowStart[j + 1]; q++) pre[o + q] = j;
      post.set(c.targets, o);
      o += c.targets.length;
    }
    return { pre, post };
  };
  if (!pr.perTrial) return { ...flatten([pr.csr]), counts: null };
  const csrs = Array.from({ length: trials }, (_, b) => trialConnectivity(pr, b));
  return { ...flatten(csrs), counts: Int32Array.from(csrs, (c) => c.targets.length) };
}

/** Per-step table of a time function, or null when it is constant. */
function perStep(f: TimeFunction, steps: number, dt: number, map: (v: number) => number = (v) => v): Float64Array | null {
  if (f.type === 'constant') return null;
  return Float64Array.from({ length: steps }, (_, n) => map(timeFunctionAt(f, n, dt)));
}

/** Writes the scenario as a Brian2 script and the arrays it loads. */
export function exportBrian2(scenario: Scenario, options: Brian2ExportOptions = {}): Brian2Export {
  const s = scenario;
  const integration = options.integration ?? s.run.integration;
  const exact = integration === 'exact';
  if (exact && s.projections.some((p) => p.output.type === 'conductance' || p.filter.type === 'kinetic'))
    throw new Brian2ExportError(
      'run.integration',
      "'exact' integrates membrane and filters as one linear system, which conductance outputs and kinetic receptors are not; export with --integration held.",
    );
  checkExportable(s, integration);
  // Compiled in the export's integration mode: 'exact' gives each current filter its coupling into the held input.
  const net: Network = compileNetwork({ ...s, run: { ...s.run, integration } }, { engine: 'micro-cpu' });
  const dt = s.run.dt;
  const steps = stepCount(s);
  const T = s.run.trials;
  const binSteps = stepsPerBin(s);
  const data: Brian2Export['data'] = {};
  const put = (key: string, a: Int32Array | Float64Array) => {
    data[key] = { data: a, shape: [a.length] };
  };
  const recordedStp = s.record.stp;
  const inputs = new Map(s.record.inputs.map((r) => [r.population, Math.min(r.neurons, s.populations[r.population].N)]));
  const L: string[] = [];
  const line = (text = '') => {
    L.push(text ? `    ${text}` : '');
  };
  const lines = (texts: string[]) => {
    for (const t of texts) line(t);
  };

  // Per projection: the Brian2 names of its variables.
  const stages = s.projections.map(linearStages);
  const stageVar = (k: number, j: number) => `s${j}_p${k}`;
  const outputVar = (k: number) => stageVar(k, stages[k].length - 1);
  const preStp = (k: number) => ({ u: `u_p${k}`, x: `x_p${k}`, y: `y_p${k}`, z: `z_p${k}`, tl: `tl_p${k}` });
  const synStp = { u: 'u', x: 'x', y: 'y', z: 'z', tl: 'tl' };

  // ---- populations ----
  for (const pop of net.populations) {
    const name = pop.name;
    const g = `pop_${name}`;
    const N = pop.N;
    const popSpec = s.populations[name];
    line(`# ${name}: ${popSpec.model}, ${N} neurons per trial`);
    // STP state kept per presynaptic neuron for the recording (mesostp's per-presynaptic placement).
    const recStp = net.projections.filter((pr) => pr.pre === pop.index && recordedStp && pr.stpPlacement === 'per-presynaptic-neuron');
    const stpDecl = recStp.flatMap((pr) => stpStateDecl(s.projections[pr.index].stp, preStp(pr.index)));
    const stpReset = recStp.flatMap((pr) =>
      stpSpikeCode(s.projections[pr.index].stp, preStp(pr.index), `w_rec_p${pr.index}`, (key) => {
        const v = (pr.stpParams as unknown as Record<string, number>)[key];
        return key.startsWith('tau') ? (v === 0 ? '0' : `${num(v)}*second`) : num(v);
      }),
    );
    if (pop.model === NEURON_POISSON) {
      const rate = popSpec.model === 'poisson' ? popSpec.rate : null;
      const table = perStep(rate!, steps, dt, (r) => -Math.expm1(-r * dt));
      const eqs = [table ? `p_spike = ta_rate_${name}(t) : 1` : 'p_spike : 1', ...stpDecl];
      if (table) {
        put(`ta_rate_${name}`, table);
        line(`S.timed('ta_rate_${name}')  # P(spike) = 1 - exp(-r(t_n) dt) per step`);
      }
      line(`${g} = S.add(b2.NeuronGroup(TRIALS * ${N}, ${pyLines(eqs)}, threshold='rand() < p_spike',`);
      line(`    reset=${stpReset.length > 0 ? pyLines(stpReset) : 'None'}, namespace=S.namespace, name=${py(g)}))`);
      if (!table) line(`${g}.p_spike = ${num(-Math.expm1(-(rate as { value: number }).value * dt))}  # 1 - exp(-r dt)`);
    } else {
      const incoming = pop.incoming.map((k) => net.projections[k]);
      const eqs: string[] = [];
      const hold: string[] = ['v_start = v'];
      const current: string[] = [];
      // run.integration 'exact': the input mesostp records, Σ_j c_j s_j(t_n), the held current that
      // moves V over the step as the filters do (exactInputCoupling; docs/step-semantics.md).
      const heldEquivalent: string[] = [];
      const condG: string[] = [];
      const condGE: string[] = [];
      const kinG: string[] = [];
      const kinGE: string[] = [];
      /** The recorded input of each kinetic projection, −g B (V_n − E). */
      const kinRecTerms: string[] = [];
      let delta = false;
      for (const pr of incoming) {
        const k = pr.index;
        const p = s.projections[k];
        const mg = pr.mg > 0 ? `B_p${k}` : null;
        if (mg) {
          eqs.push(`${mg} : 1`);
          hold.push(`${mg} = 1/(1 + exp(-0.062*(v + ${num(pop.restPotential)}))*(${num(pr.mg)}/3.57))`);
        }
        if (pr.filter === FILTER_KINETIC) {
          eqs.push(`g_p${k} : 1`);
          const gb = mg ? `g_p${k}*${mg}` : `g_p${k}`;
          kinG.push(gb);
          kinGE.push(`${gb}*${num(pr.E)}`);
          kinRecTerms.push(` + ${gb}*(${num(pr.E)} - v_start)`);
          continue;
        }
        const st = stages[k];
        if (st.length === 0) {
          delta = true;
          continue;
        }
        st.forEach((tau, j) => {
          const src = j === 0 ? '' : ` + ${stageVar(k, j - 1)}/second`;
          eqs.push(`d${stageVar(k, j)}/dt = -${stageVar(k, j)}/(${num(tau)}*second)${src} : 1`);
        });
        const out = `${num(pr.outScale)}*${outputVar(k)}`;
        if (p.output.type === 'current') {
          current.push(out);
          if (pr.inputCoupling) heldEquivalent.push(...Array.from(pr.inputCoupling, (c, j) => `${num(c)}*${stageVar(k, j)}`));
        } else {
          const gb = mg ? `${out}*${mg}` : out;
          condG.push(gb);
          condGE.push(`${gb}*${num(pr.E)}`);
        }
      }
      const tauM = `${num(pop.tauM)}*second`;
      const muTable = perStep(pop.drive, steps, dt);
      if (muTable) {
        put(`ta_mu_${name}`, muTable);
        line(`S.timed('ta_mu_${name}')  # the drive mu(t_n), held over step n`);
      }
      hold.push(`mu_h = ${muTable ? `ta_mu_${name}(t)` : num((pop.drive as { value: number }).value)}`);
      eqs.push('v_start : 1', 'mu_h : 1');
      const sum = (terms: string[]) => (terms.length > 0 ? terms.join(' + ') : '0');
      const linearCond = condG.length > 0;
      eqs.push('I_h : 1');
      hold.push(`I_h = ${sum(exact ? heldEquivalent : current)}`);
      if (exact) {
        eqs.push(`dv/dt = (mu_h${current.map((c) => ` + ${c}`).join('')} - v)/(${tauM}) : 1 (unless refractory)`);
      } else {
        if (linearCond) {
          eqs.push('G_h : 1', 'GE_h : 1');
          hold.push(`G_h = ${sum(condG)}`, `GE_h = ${sum(condGE)}`);
        }
        const drive = ['mu_h', 'I_h', ...(linearCond ? ['GE_h'] : []), ...kinGE].join(' + ');
        const leak = linearCond || kinG.length > 0 ? `(1 + ${[...(linearCond ? ['G_h'] : []), ...kinG].join(' + ')})*v` : 'v';
        eqs.push(`dv/dt = (${drive} - ${leak})/(${tauM}) : 1 (unless refractory)`);
      }
      if (delta) {
        eqs.push('dk : 1', 'dk_h : 1');
        hold.push('dk_h = dk', 'dk = 0');
      }
      const kinRec = kinRecTerms.join('');
      const deltaRec = delta ? ` + ${num(pop.tauM)}*second*dk_h/dt` : '';
      eqs.push(`I_rec = I_h${linearCond ? ' + GE_h - G_h*v_start' : ''}${kinRec}${deltaRec} : 1`);
      // Threshold adaptation: θ = u_th + Σ a_q, each a_q decaying exactly and kicked by J_q/τ_q.
      const adaptation = popSpec.model === 'glif' ? popSpec.adaptation : [];
      eqs.push(...adaptation.map((a, q) => `da${q}/dt = -a${q}/(${num(a.tau)}*second) : 1`));
      const theta = [num(pop.uTh), ...adaptation.map((_, q) => `a${q}`)].join(' + ');
      let threshold: string;
      if (pop.model === NEURON_GLIF) {
        eqs.push('theta_start : 1');
        hold.push(`theta_start = ${theta}`);
        const lam = (v: string, th: string) => `exp((${v} - ${th})/${num(pop.deltaU)})`;
        threshold = `'rand() < ' + S.one_minus_exp + ${py(`(-0.5*dt*(${num(pop.c)}/second)*(${lam('v_start', 'theta_start')} + ${lam('v', `(${theta})`)}))`)}`;
      } else {
        if (pop.model !== NEURON_LIF) throw new Error(`population ${name}: unknown model`);
        threshold = py(`v >= ${num(pop.uTh)}`);
      }
      eqs.push(...stpDecl);
      const reset = [`v = ${num(pop.uReset)}`, ...adaptation.map((a, q) => `a${q} += ${num(a.J / a.tau)}`), ...stpReset];
      line(`${g} = S.add(b2.NeuronGroup(TRIALS * ${N}, ${pyLines(eqs)},`);
      line(`    threshold=${threshold}, reset=${pyLines(reset)},`);
      line(`    refractory=${pop.refSteps + 1}*DT*b2.second, method='exact', namespace=S.namespace, name=${py(g)}, order=0))`);
      line(`${g}.v = ${num(pop.V0)}`);
      line(`S.add(${g}.run_regularly(${pyLines(hold)}, when='before_groups', name=${py(`hold_${name}`)}))`);
    }
    for (const pr of recStp) lines(stpRestCode(g, s.projections[pr.index].stp, preStp(pr.index), num((pr.stpParams as { U0?: number }).U0 ?? 0)));
    line(`S.record_population(${g}, ${py(name)}, ${N})`);
    const m = inputs.get(name);
    if (m !== undefined && pop.model !== NEURON_POISSON) line(`S.record_input(${g}, ${py(name)}, ${N}, ${m})`);
    for (const pr of recStp) {
      const p = s.projections[pr.index];
      const params = pr.stpParams as unknown as Record<string, number>;
      // JSON lists of strings and objects of numbers are Python literals as they are.
      line(
        `S.record_stp(${py(pr.name)}, ${g}, ${JSON.stringify(stpRecordedVars(p.stp, preStp(pr.index)))}, ${py(p.stp.model)}, ${JSON.stringify(params)}, ${pr.nPre})`,
      );
    }
    line();
  }

  // ---- projections ----
  for (const pr of net.projections) {
    const k = pr.index;
    const p = s.projections[k];
    const A = `pop_${net.populations[pr.pre].name}`;
    const Bp = `pop_${net.populations[pr.post].name}`;
    const key = `p${k}`;
    const lists = synapseLists(pr, T);
    put(`${key}_pre`, lists.pre);
    put(`${key}_post`, lists.post);
    if (lists.counts) put(`${key}_counts`, lists.counts);
    const perSynapse = pr.stpPlacement === 'per-synapse';
    const hetKeys = perSynapse ? STP_PARAMS[p.stp.model].filter((q) => p.heterogeneity?.[q as 'U'] !== undefined) : [];
    const params = (pr.stpParams ?? {}) as unknown as Record<string, number>;
    const param: ParamExpr = (q, unit) => {
      if (hetKeys.includes(q)) return `${q}_s`;
      const v = params[q];
      if (unit === 'second') return v === 0 ? '0' : `${num(v)}*second`;
      return num(v);
    };
    const stpModel = [...stpStateDecl(p.stp, synStp), ...hetKeys.map((q) => `${q}_s : ${q.startsWith('tau') ? 'second' : '1'} (constant)`)];
    const setHet = (obj: string) => {
      for (const q of hetKeys) {
        put(`${key}_${q}`, pr.synStp[q as 'U']!);
        line(`${obj}.${q}_s = S.per_synapse('${key}_${q}')${q.startsWith('tau') ? '*b2.second' : ''}`);
      }
      lines(stpRestCode(obj, p.stp, synStp, hetKeys.includes('U0') ? `${obj}.U0_s` : num(params.U0 ?? 0)));
    };
    const J = pr.synWeight ? 'J_s' : num(pr.weight);
    if (pr.synWeight) {
      put(`${key}_weight`, pr.synWeight);
      stpModel.push('J_s : 1 (constant)');
    }
    const delay = `${pr.delaySteps - 1}*DT*b2.second`;
    const stpCode = p.stp.model === 'none' ? [] : stpSpikeCode(p.stp, synStp, 'w', param);
    const w = p.stp.model === 'none' ? '' : '*w';
    line(`# ${pr.name}: ${p.filter.type} filter, ${p.output.type} output, STP ${p.stp.model}, delay ${pr.delaySteps} step(s)`);
    if (pr.filter === FILTER_KINETIC) {
      const kin = pr.kinetic!;
      const gate = `gate_p${k}`;
      const PD = pulseSteps(p, pr, k, dt);
      // One gate per presynaptic neuron and trial; its transmitter T is held over each step, so
      // Brian2 integrates the gate exactly, and ds/dt = αT − (αT + β)s gives the step mean
      // exactly from the step's start and end: s̄ = (αT − Δs/dt)/(αT + β).
      line(
        `${gate} = S.add(b2.NeuronGroup(TRIALS * ${pr.nPre}, ${pyLines([`ds_gate/dt = (${num(kin.alpha)}*T_now*(1 - s_gate) - ${num(kin.beta)}*s_gate)/second : 1`, `s_mean = (${num(kin.alpha)}*T_now - (s_gate - s_start)*second/dt)/(${num(kin.alpha)}*T_now + ${num(kin.beta)}) : 1`, 's_start : 1', 'T_now : 1', 'T_amp : 1', 't_end : second'])},`,
      );
      line(`    method='exact', name=${py(gate)}, order=-10))`);
      line(`S.add(${gate}.run_regularly('T_now = T_amp*int(t < t_end - 0.5*dt)\\ns_start = s_gate', when='before_groups', name=${py(`pulse_p${k}`)}))`);
      const arrive = [
        ...stpCode,
        `T_amp_post = ${num(kin.Tmax)}${w}`,
        `t_end_post = t_end_post + (t + dt + ${PD}*dt - t_end_post)*int(t + dt + ${PD}*dt > t_end_post)`,
      ];
      line(`arrive_p${k} = S.add(b2.Synapses(${A}, ${gate}, model=${pyLines(stpStateDecl(p.stp, synStp))}, on_pre=${pyLines(arrive)},`);
      line(`    delay=${delay}, name='arrive_p${k}'))`);
      line(`arrive_p${k}.connect(j='i')`);
      lines(stpRestCode(`arrive_p${k}`, p.stp, synStp, num(params.U0 ?? 0)));
      const summed = `g_p${k}_post = ${J}*s_mean_pre : 1 (summed)`;
      line(`syn_p${k} = S.add(b2.Synapses(${gate}, ${Bp}, model=${pyLines([...(pr.synWeight ? ['J_s : 1 (constant)'] : []), summed])}, name='syn_p${k}'))`);
      line(`S.connect(syn_p${k}, '${key}', ${pr.nPre}, ${pr.nPost})`);
      if (pr.synWeight) line(`syn_p${k}.J_s = S.per_synapse('${key}_weight')`);
    } else {
      let kick: string[];
      if (stages[k].length === 0) {
        const R = net.populations[pr.post].refSteps;
        // A delta event is lost when the neuron is refractory in the step it arrives for (n = this step + 1).
        kick = [`v_post += ${J}${w}*int(timestep(t - lastspike_post, dt) >= ${R})`];
        if (inputs.has(net.populations[pr.post].name)) kick.push(`dk_post += ${J}${w}`);
      } else kick = [`${stageVar(k, 0)}_post += ${num(pr.kickScale)}*${J}${w}`];
      line(`syn_p${k} = S.add(b2.Synapses(${A}, ${Bp}, model=${pyLines(stpModel)}, on_pre=${pyLines([...stpCode, ...kick])},`);
      line(`    delay=${delay}, name='syn_p${k}'))`);
      line(`S.connect(syn_p${k}, '${key}', ${pr.nPre}, ${pr.nPost})`);
      if (pr.synWeight) line(`syn_p${k}.J_s = S.per_synapse('${key}_weight')`);
      setHet(`syn_p${k}`);
    }
    if (recordedStp && perSynapse) {
      // mesostp updates per-synapse STP at emission: a twin without delay holds that state for the recording.
      const twin = `stprec_p${k}`;
      line(
        `${twin} = S.add(b2.Synapses(${A}, ${Bp}, model=${pyLines(stpModel.filter((d) => !d.startsWith('J_s')))}, on_pre=${pyLines(stpCode)}, name='${twin}'))`,
      );
      line(`S.connect(${twin}, '${key}', ${pr.nPre}, ${pr.nPost})`);
      setHet(twin);
      const recParams = Object.fromEntries(STP_PARAMS[p.stp.model].map((q) => [q, hetKeys.includes(q) ? `S.per_synapse('${key}_${q}')` : num(params[q])]));
      const dict = `{${Object.entries(recParams)
        .map(([q, v]) => `'${q}': ${v}`)
        .join(', ')}}`;
      line(`S.record_stp(${py(pr.name)}, ${twin}, ${JSON.stringify(stpRecordedVars(p.stp, synStp))}, ${py(p.stp.model)}, ${dict}, ${pr.nSyn})`);
    }
    line();
  }

  const header = [
    '#!/usr/bin/env python3',
    `"""${s.name}: a Brian2 script written by \`mesostp export brian2\` (mesostp ${version}).`,
    '',
    ...(s.description ? [s.description.replace(/"""/g, "'''"), ''] : []),
    `Run: python3 ${'<this file>'} --out RUN_FOLDER [--target numpy|cython|cpp_standalone]`,
    'It writes summary.json and the .npy arrays as `mesostp run --out` does, so that',
    '`mesostp compare RUN_FOLDER MESOSTP_RUN_FOLDER` compares the two simulators.',
    '',
    `Integration: '${integration}' (run.integration of mesostp's docs/step-semantics.md). The synapse`,
    'lists and per-synapse parameters are the ones mesostp drew (the data folder beside this',
    'script); the spikes are drawn by Brian2 from its own random numbers.',
    '"""',
    'import argparse',
    'import json',
    'import os',
    'import re',
    'import shutil',
    'import tempfile',
    'import time',
    '',
    'import brian2 as b2',
    'import numpy as np',
    '',
    `DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), ${py(options.dataDir ?? 'model_data')})`,
    `SCENARIO_NAME = ${py(s.name)}`,
    `MESOSTP_VERSION = ${py(version)}`,
    `INTEGRATION = ${py(integration)}`,
    `DT = ${num(dt)}  # s`,
    `STEPS = ${steps}`,
    `TRIALS = ${T}`,
    `BIN_STEPS = ${binSteps}`,
    `SEED = ${s.run.seed}`,
    `RECORD_ACTIVITY = ${s.record.activity ? 'True' : 'False'}`,
    `RECORD_SPIKES = ${JSON.stringify(s.record.spikes.map((r) => [r.population, r.neurons]))}`,
    '',
    '',
    'def build(S):',
    '    """The network: TRIALS copies side by side (neuron b*N + i is neuron i of trial b)."""',
  ];
  const script = `${[...header, ...L].join('\n')}\n${BRIAN2_RUNTIME}`;
  return { script, data };
}

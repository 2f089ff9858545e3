"""Shared by the Brian2 peer scripts of `mesostp bench --peers` (feedforward_mc.py, recurrent.py).

Each script reads the JSON parameter file that bench/peers/brian2.ts writes from the scenario
mesostp runs, builds the same network in Brian2 and prints one JSON line with its timings and
summary statistics. What "the same network" means, step by step (docs/step-semantics.md):

* Poisson sources spike with probability P = 1 - exp(-r dt) per step. Brian2's PoissonGroup
  spikes with probability rates*dt, so it is given the rate -expm1(-r dt)/dt.
* Escape-noise LIF: the synaptic input I_n = (input scale) * g is taken at the step start, after
  the step's arrivals, and held over the step, so V follows the exact solution for constant input;
  the hazard c*exp((V - u_th)/delta_u) is taken at both ends of the step and
  P = 1 - exp(-dt (lambda_start + lambda_end)/2). A run_regularly before the state update holds
  V_n and I_n; the threshold draws against P.
* Refractoriness: mesostp holds V at u_r for the R = round(tRef/dt) steps after the spike step
  and integrates again in step n + R + 1; Brian2's refractory period counts from the spike step
  itself, so it is (R + 1) dt.
* Exponential filters advance exactly (Brian2's 'exact' method). mesostp adds a spike of step m
  to g at the start of step m + D (D the delay in steps) and reads g then; Brian2 adds on_pre
  effects after its state update, so a synaptic delay of (D - 1) dt puts the kick into g just
  before the step at which mesostp reads it: the same g at every step.
* Tsodyks-Markram: relax exactly to the spike, then u+ = u- + U(1 - u-), w = u+ x-,
  x+ = x- - w, in this order (src/synapse/stpTsodyksMarkram.ts). tauF = 0 means u- = U0 at every
  spike; the depression model is U0 = 0, tauF = 0.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

TARGETS = ('cython', 'numpy', 'cpp_standalone')


def parse_args(description):
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('params', help='JSON parameter file written by mesostp bench (bench/peers/brian2.ts)')
    ap.add_argument('--target', choices=TARGETS, default='cython',
                    help='Brian2 code generation target; cpp_standalone builds and runs a C++ program (default cython)')
    ap.add_argument('--threads', type=int, default=0, help='OpenMP threads of cpp_standalone (default: all cores)')
    ap.add_argument('--build-dir', default=None, help='cpp_standalone project folder (default: a temporary one, removed afterwards)')
    return ap.parse_args()


class Session:
    """Brian2 imported and set up for one target, with the clocks of the measurement."""

    def __init__(self, args):
        self.t0 = time.perf_counter()
        with open(args.params) as f:
            self.p = json.load(f)
        # Imported here so that the seconds it takes are measured apart from the run.
        import brian2
        import numpy

        self.b2 = brian2
        self.np = numpy
        self.target = args.target
        self.import_seconds = time.perf_counter() - self.t0
        self.t_setup = time.perf_counter()
        self.threads = 1
        self.own_build_dir = None
        brian2.prefs.logging.console_log_level = 'WARNING'
        if args.target == 'cpp_standalone':
            self.threads = args.threads if args.threads > 0 else (os.cpu_count() or 1)
            if args.build_dir is None:
                self.own_build_dir = tempfile.mkdtemp(prefix='mesostp-brian2-')
            self.build_dir = args.build_dir or self.own_build_dir
            brian2.set_device('cpp_standalone', directory=self.build_dir, build_on_run=False)
            brian2.prefs.devices.cpp_standalone.openmp_threads = self.threads
            # The program runs under a wrapper that reports its peak memory (the compiler's is not ours).
            self.rss_file = os.path.join(self.build_dir, 'maxrss.txt')
            brian2.prefs.devices.cpp_standalone.run_cmd_unix = [sys.executable, os.path.abspath(__file__), '--maxrss', self.rss_file, './main']
        else:
            brian2.prefs.codegen.target = args.target
        brian2.defaultclock.dt = self.p['dt'] * brian2.second
        brian2.seed(self.p['seed'])
        self.rng = numpy.random.default_rng(self.p['seed'])
        self.run_seconds = None

    @property
    def dt(self):
        return self.p['dt'] * self.b2.second

    @property
    def duration(self):
        return self.p['steps'] * self.dt

    def poisson_group(self, src, trials):
        """B x N Poisson sources, trial b holding neurons b*N ... (b+1)*N - 1."""
        b2 = self.b2
        rate = -self.np.expm1(-src['rateHz'] * self.p['dt']) / self.p['dt']
        return b2.PoissonGroup(trials * src['N'], rates=rate * b2.Hz, name=src['name'])

    def glif_group(self, pop, trials, filters, extra_eqs=(), reset_extra='', extra_ns=None):
        """B x N escape-noise LIF neurons with one exponential filter g_<k> per incoming projection.

        filters: [(k, tauS, inputScale)]; extra_eqs, reset_extra, extra_ns: more variables, the
        statements run at a spike after the reset, and their constants.
        """
        b2 = self.b2
        ns = {
            'tau_m': pop['tauM'] * b2.second,
            'mu': pop['mu'],
            'u_th': pop['uTh'],
            'delta_u': pop['deltaU'],
            'c_hz': pop['c'] * b2.Hz,
            'u_reset': pop['uReset'],
            **(extra_ns or {}),
        }
        eqs = ['dv/dt = (mu + I_syn - v) / tau_m : 1 (unless refractory)', 'I_syn : 1', 'v_start : 1']
        hold = ['v_start = v']
        terms = []
        for k, tau_s, scale in filters:
            ns[f'tau_{k}'] = tau_s * b2.second
            ns[f'in_{k}'] = scale
            eqs.append(f'dg_{k}/dt = -g_{k} / tau_{k} : 1')
            terms.append(f'in_{k} * g_{k}')
        hold.append('I_syn = ' + (' + '.join(terms) if terms else '0'))
        # 1 - exp(-h), as mesostp computes it (expm1), except on the numpy target, where Brian2's
        # expm1 goes through a unit-checking wrapper 30x slower than the rest of the step (the two
        # differ by rounding, about 1e-12 relative at these hazards).
        one_minus_exp = '1 - exp' if self.target == 'numpy' else '-expm1'
        eqs.extend(extra_eqs)
        g = b2.NeuronGroup(
            trials * pop['N'],
            '\n'.join(eqs),
            threshold=f'rand() < {one_minus_exp}(-0.5 * dt * c_hz * (exp((v_start - u_th) / delta_u) + exp((v - u_th) / delta_u)))',
            reset='v = u_reset\n' + reset_extra,
            refractory=(pop['refSteps'] + 1) * self.dt,
            method='exact',
            namespace=ns,
            name=pop['name'],
        )
        g.v = pop['V0']
        # Before the state update of every step: V_n for the hazard, and I_n held over the step.
        g.run_regularly('\n'.join(hold), when='before_groups', name=f'{pop["name"]}_hold')
        return g

    def connect(self, syn, proj, n_pre, n_post, trials, same_population):
        """The projection's connectivity, drawn once and repeated in every trial (as mesostp shares it)."""
        np = self.np
        c = proj['connectivity']
        if c['type'] == 'all-to-all':
            pre = np.repeat(np.arange(n_pre), n_post)
            post = np.tile(np.arange(n_post), n_pre)
            if same_population and not c.get('autapses', True):
                keep = pre != post
                pre, post = pre[keep], post[keep]
        elif c['type'] == 'fixed-indegree':
            C = c['C']
            own = same_population and not c.get('autapses', False)
            pool = n_pre - 1 if own else n_pre
            pre = np.empty(n_post * C, dtype=np.int64)
            for j in range(n_post):
                k = self.rng.choice(pool, size=C, replace=False)
                if own:
                    k[k >= j] += 1  # the source j itself is skipped
                pre[j * C:(j + 1) * C] = k
            post = np.repeat(np.arange(n_post), C)
        else:
            raise SystemExit(f'brian2 peer: connectivity {c["type"]} is not implemented')
        offsets = np.arange(trials)
        i = (pre[None, :] + (offsets * n_pre)[:, None]).ravel()
        j = (post[None, :] + (offsets * n_post)[:, None]).ravel()
        syn.connect(i=i, j=j)
        return len(pre)

    def run(self, net):
        """Runs the network; the run seconds are Brian2's own main-loop time (set-up and compilation excluded)."""
        b2 = self.b2
        profile = os.environ.get('MESOSTP_BRIAN2_PROFILE') == '1'
        net.run(self.duration, profile=profile)
        if self.target == 'cpp_standalone':
            b2.device.build(directory=self.build_dir, compile=True, run=True, with_output=False)
        self.run_seconds = float(b2.device._last_run_time)
        if profile:
            print(b2.profiling_summary(net), file=sys.stderr)

    def peak_host_bytes(self):
        if self.target == 'cpp_standalone':
            try:
                with open(self.rss_file) as f:
                    return int(f.read()) * 1024
            except OSError:
                return None
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def report(self, stats, synapses):
        wall = time.perf_counter() - self.t_setup
        out = {
            'peer': 'brian2',
            'brian2': self.b2.__version__,
            'target': self.target,
            'threads': self.threads,
            'script': self.p['script'],
            'trials': self.p['trials'],
            'steps': self.p['steps'],
            'dt': self.p['dt'],
            'synapses': synapses,
            'importSeconds': self.import_seconds,
            'wallSeconds': wall,
            'setupSeconds': wall - self.run_seconds,
            'runSeconds': self.run_seconds,
            'peakHostBytes': self.peak_host_bytes(),
            **stats,
        }
        if self.own_build_dir is not None:
            shutil.rmtree(self.own_build_dir, ignore_errors=True)
        print(json.dumps(out))

    # --- statistics -------------------------------------------------------------------------

    def spikes_per_trial(self, monitor, n, trials):
        """Mean spike count per trial of a population of n neurons per trial, and its rate (Hz)."""
        counts = self.np.asarray(monitor.count[:]).reshape(trials, n).sum(axis=1)
        per_trial = float(counts.mean())
        return {'spikesPerTrial': per_trial, 'rateHz': per_trial / (n * self.p['steps'] * self.p['dt'])}

    def relaxed_stp(self, u, x, t_last, stp, t):
        """Mean (and s.d.) of u and x over the state entries, each relaxed exactly from its last update to t (seconds).

        The depression model has no u (it is U0 = 0 between spikes), as in mesostp's recording.
        """
        np = self.np
        d = t - np.asarray(t_last)
        ef = np.exp(-d / stp['tauF']) if stp['tauF'] > 0 else np.where(d > 0, 0.0, 1.0)
        ed = np.exp(-d / stp['tauD']) if stp['tauD'] > 0 else np.where(d > 0, 0.0, 1.0)
        x_t = 1 + (np.asarray(x) - 1) * ed
        mean = {'x': float(x_t.mean())}
        sd = {'x': float(x_t.std(ddof=1)) if x_t.size > 1 else 0.0}
        if stp['model'] != 'depression':
            u_t = stp['U0'] + (np.asarray(u) - stp['U0']) * ef
            mean = {'u': float(u_t.mean()), **mean}
            sd = {'u': float(u_t.std(ddof=1)) if u_t.size > 1 else 0.0, **sd}
        return mean, {**sd, 'entries': int(x_t.size)}

    def input_monitor(self, group, n_per_trial, trials):
        """The input I_n of the first neurons of every trial, sampled at the first step of every bin."""
        np = self.np
        n_rec = self.p['record']['inputNeurons']
        if n_rec == 0:
            return None
        rows = (np.arange(trials)[:, None] * n_per_trial + np.arange(n_rec)[None, :]).ravel()
        return self.b2.StateMonitor(group, 'I_syn', record=rows, dt=self.p['binSteps'] * self.dt, when='end')

    def input_stats(self, monitor, name, trials):
        """Mean recorded input; and over the second half of the run (after the transient from rest), the mean of every trial."""
        values = self.np.asarray(monitor.I_syn).reshape(trials, -1, len(monitor.t))
        half = values[:, :, values.shape[2] // 2:]
        return {name: {'mean': float(values.mean()), 'samples': int(values.size), 'trialMeansLastHalf': [float(v) for v in half.mean(axis=(1, 2))]}}


def synapse_stp_code(stp):
    """Model and on_pre statements of TM STP state kept per synapse (exact relaxation by event-driven ODEs)."""
    model = []
    if stp['tauF'] > 0:
        model.append('du/dt = (U0_stp - u) / tauF_stp : 1 (event-driven)')
        u_minus = 'u'
    else:
        model.append('u : 1')
        u_minus = 'U0_stp'
    if stp['tauD'] > 0:
        model.append('dx/dt = (1 - x) / tauD_stp : 1 (event-driven)')
    else:
        model.append('x : 1')
    pre = [f'u = {u_minus} + U_stp * (1 - {u_minus})', 'w_spike = u * x', 'x = x - w_spike' if stp['tauD'] > 0 else 'x = 1']
    return model, pre


def stp_namespace(b2, stp):
    return {'U_stp': stp['U'], 'U0_stp': stp['U0'], 'tauD_stp': stp['tauD'] * b2.second, 'tauF_stp': stp['tauF'] * b2.second}


def _maxrss_main(argv):
    """`common.py --maxrss FILE CMD...`: runs CMD and writes its peak resident memory (KiB) to FILE."""
    out, cmd = argv[0], argv[1:]
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    with open(out, 'w') as f:
        f.write(str(usage.ru_maxrss))
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == '__main__' and len(sys.argv) > 2 and sys.argv[1] == '--maxrss':
    _maxrss_main(sys.argv[2:])

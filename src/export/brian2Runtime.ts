/**
 * The fixed part of every script `mesostp export brian2` writes: command line, Brian2 set-up,
 * the helpers the generated model calls (connectivity from the exported synapse lists, recorders)
 * and the output, written as `mesostp run --out` writes it (summary.json with the keys of
 * src/analysis/summary.ts, the .npy names of src/io/recordingArrays.ts), so that `mesostp compare`
 * reads a Brian2 run like any other. The model itself (./brian2.ts) comes between the header and
 * this text; it defines DT, STEPS, TRIALS, BIN_STEPS, SEED, SCENARIO_NAME, DATA_DIR, INTEGRATION,
 * RECORD_ACTIVITY, RECORD_SPIKES and build(S).
 */
export const BRIAN2_RUNTIME = String.raw`
# ---------------------------------------------------------------------------------------------
# Running and recording: the same for every exported scenario.
# ---------------------------------------------------------------------------------------------


class Session:
    """What build() uses: the data folder, connectivity, recorders; and the objects to run."""

    def __init__(self, target):
        self.target = target
        # 1 - exp(-h) as mesostp computes it (expm1), except on the numpy target, where Brian2's
        # expm1 goes through a slow unit-checking wrapper (the two differ by rounding only).
        self.one_minus_exp = '1 - exp' if target == 'numpy' else '-expm1'
        self.objects = []
        self.populations = []   # (name, N, SpikeMonitor)
        self.inputs = []        # (name, N, m, sampled StateMonitor, population-mean StateMonitor)
        self.stp = []           # dict(name, source, variables, relax, params, entries, monitor)
        self.namespace = {}

    def add(self, *objs):
        self.objects.extend(objs)
        return objs[0] if len(objs) == 1 else objs

    def load(self, key):
        return np.load(os.path.join(DATA_DIR, key + '.npy'))

    def has(self, key):
        return os.path.exists(os.path.join(DATA_DIR, key + '.npy'))

    def timed(self, key):
        """A per-step table (value n at t_n = n dt), held over each step: a TimedArray."""
        ta = b2.TimedArray(self.load(key), dt=DT * b2.second, name=key)
        self.namespace[key] = ta
        return ta

    def connect(self, syn, key, n_pre, n_post):
        """The projection's synapses as mesostp drew them: one list shared by every trial, or one per trial."""
        pre, post = self.load(key + '_pre').astype(np.int64), self.load(key + '_post').astype(np.int64)
        if self.has(key + '_counts'):
            trial = np.repeat(np.arange(TRIALS), self.load(key + '_counts'))
        else:
            trial = np.repeat(np.arange(TRIALS), len(pre))
            pre, post = np.tile(pre, TRIALS), np.tile(post, TRIALS)
        syn.connect(i=pre + trial * n_pre, j=post + trial * n_post)

    def per_synapse(self, key):
        """A per-synapse parameter drawn by mesostp (heterogeneity), the same in every trial."""
        return np.tile(self.load(key), TRIALS)

    def record_population(self, group, name, n):
        mon = self.add(b2.SpikeMonitor(group, record=True, name='spikes_' + name))
        self.populations.append((name, n, mon))

    def record_input(self, group, name, n, m):
        """I_rec of the first m neurons of every trial, and its population mean, at every step."""
        rec = b2.NeuronGroup(TRIALS, 'I_mean : 1', name='inputmean_' + name, order=100)
        link = b2.Synapses(group, rec, 'I_mean_post = I_rec_pre / %d : 1 (summed)' % n, name='inputsum_' + name)
        link.connect(i=np.arange(TRIALS * n), j=np.arange(TRIALS * n) // n)
        rows = (np.arange(TRIALS)[:, None] * n + np.arange(m)[None, :]).ravel()
        sampled = b2.StateMonitor(group, 'I_rec', record=rows, when='end', name='input_' + name)
        mean = b2.StateMonitor(rec, 'I_mean', record=True, when='end', name='inputmeanmon_' + name)
        self.add(rec, link, sampled, mean)
        self.inputs.append((name, n, m, sampled, mean))

    def record_stp(self, name, source, variables, kind, params, entries):
        """STP state of a projection (per presynaptic neuron or per synapse), read at every bin's end."""
        mon = self.add(b2.StateMonitor(source, variables, record=True, dt=BIN_STEPS * DT * b2.second, when='start', name='stpmon_' + _stem(name)))
        self.stp.append(dict(name=name, source=source, variables=variables, kind=kind, params=params, entries=entries, monitor=mon))


def _stem(name):
    return re.sub(r'[^A-Za-z0-9_.-]', '_', name.replace('->', '_to_'))


def _decay(d, tau):
    """e^(-d/tau), 1 for d <= 0, 0 for tau = 0 < d (src/synapse/exact.ts decayFactor)."""
    tau = np.broadcast_to(np.asarray(tau, dtype=float), d.shape)
    out = np.ones_like(d)
    live = d > 0
    with np.errstate(divide='ignore', over='ignore', invalid='ignore'):
        out[live] = np.where(tau[live] > 0, np.exp(-d[live] / np.where(tau[live] > 0, tau[live], 1.0)), 0.0)
    return out


def _exp_convolution(d, a, b):
    """The integral over [0, d] of e^(-(d-s)/a) e^(-s/b) ds, stable for any a, b > 0."""
    ra, rb = 1.0 / np.asarray(a, dtype=float), 1.0 / np.asarray(b, dtype=float)
    slow, gap = np.minimum(ra, rb), np.abs(ra - rb)
    x = -d * gap
    with np.errstate(divide='ignore', invalid='ignore'):
        phi = np.where(np.abs(x) > 1e-12, np.expm1(x) / np.where(x != 0, x, 1.0), 1.0)
    return np.where(d > 0, d * np.exp(-d * slow) * phi, 0.0)


def relax_stp(kind, values, t_last, t, p):
    """The STP variables relaxed from their last update to t, as mesostp reports them (stpStore addRelaxed)."""
    d = t - t_last
    if kind == 'tsodyks-markram':
        u, x = values
        return [p['U0'] + (u - p['U0']) * _decay(d, p['tauF']), 1 + (x - 1) * _decay(d, p['tauD'])]
    if kind == 'depression':
        (x,) = values
        return [1 + (x - 1) * _decay(d, p['tauD'])]
    x, y, z = values
    y1 = y * _decay(d, p['tauIn'])
    z1 = z * _decay(d, p['tauRec']) + (y / p['tauIn']) * _exp_convolution(d, p['tauRec'], p['tauIn'])
    return [x + (y - y1) + (z - z1), y1, z1]


def bin_means(series, bins):
    """[..., steps] -> [..., bins]: the mean over each bin's steps (complete bins only)."""
    return series[..., :bins * BIN_STEPS].reshape(series.shape[:-1] + (bins, BIN_STEPS)).mean(axis=-1)


def trial_stats(a):
    """Per-bin trial mean and M2, and each trial's average: src/model/trialStats.ts statsFromTrials."""
    mean = a.mean(axis=0)
    m2 = ((a - mean) ** 2).sum(axis=0)
    averages = a.reshape(a.shape[0], -1).mean(axis=1)
    return mean, m2, averages


def _none_if_nan(x):
    return None if x is None or not np.isfinite(x) else float(x)


def mean_and_sem(a):
    """Time average of the trial mean and its standard error (src/analysis/summary.ts statsMeanAndSem)."""
    mean, _, averages = trial_stats(a)
    if a.shape[0] >= 2:
        return float(mean.mean()), float(averages.std(ddof=1) / np.sqrt(len(averages)))
    flat = a.reshape(-1)
    blocks = min(10, flat.size)
    if blocks == 0:
        return float('nan'), None
    size = flat.size // blocks
    groups = flat[:blocks * size].reshape(blocks, size).mean(axis=1)
    return float(groups.mean()), (float(groups.std(ddof=1) / np.sqrt(blocks)) if blocks >= 2 else None)


def mean_and_sd(a):
    """Time averages of the per-bin trial mean and trial s.d. (statsMeanAndSd)."""
    mean, m2, _ = trial_stats(a)
    sd = float(np.sqrt(m2 / (a.shape[0] - 1)).mean()) if a.shape[0] > 1 else float('nan')
    return float(mean.mean()), sd


def write_outputs(S, out, wall, brian2_seconds):
    steps_done = STEPS
    bins = steps_done // BIN_STEPS
    files, arrays = {}, {}

    def add(key, data, stem, stats_too=True):
        arrays[stem + '.npy'] = data
        files[key] = stem + '.npy'
        if stats_too:
            mean, m2, _ = trial_stats(data)
            arrays[stem + '_trialmean.npy'] = mean
            arrays[stem + '_trialm2.npy'] = m2
            files['stats.%s.mean' % key] = stem + '_trialmean.npy'
            files['stats.%s.m2' % key] = stem + '_trialm2.npy'

    populations, inputs, stp, stp_sem = {}, {}, {}, {}
    spikes_wanted = dict(RECORD_SPIKES)
    for name, n, mon in S.populations:
        i = np.asarray(mon.i[:], dtype=np.int64)
        step = np.rint(np.asarray(mon.t[:] / b2.second) / DT).astype(np.int64)
        trial, neuron = i // n, i % n
        counts = np.zeros((TRIALS, bins))
        inside = step < bins * BIN_STEPS
        np.add.at(counts, (trial[inside], step[inside] // BIN_STEPS), 1)
        if RECORD_ACTIVITY:
            activity = counts / (n * BIN_STEPS * DT)
            add('activity.' + name, activity, 'activity_' + _stem(name))
            m, sem = mean_and_sem(activity)
            populations[name] = {'rateHz': m, 'rateHzSem': _none_if_nan(sem)}
        if name in spikes_wanted:
            keep = neuron < spikes_wanted[name]
            order = np.lexsort((i[keep], step[keep]))
            stem = 'spikes_' + _stem(name)
            for part, data in (('trial', trial[keep][order].astype(np.int32)), ('neuron', neuron[keep][order].astype(np.int32)), ('time', step[keep][order] * DT)):
                arrays['%s_%s.npy' % (stem, part)] = data
                files['spikes.%s.%s' % (name, part)] = '%s_%s.npy' % (stem, part)
    for name, n, m, sampled_mon, mean_mon in S.inputs:
        sampled = bin_means(np.asarray(sampled_mon.I_rec).reshape(TRIALS, m, -1), bins)
        pop_mean = bin_means(np.asarray(mean_mon.I_mean).reshape(TRIALS, -1), bins)
        stem = 'input_' + _stem(name)
        add('inputs.%s.sampled' % name, sampled, stem + '_sampled')
        add('inputs.%s.populationMean' % name, pop_mean, stem + '_mean')
        arrays[stem + '_neurons.npy'] = np.arange(m, dtype=np.int32)
        files['inputs.%s.neurons' % name] = stem + '_neurons.npy'
        smean, ssd = mean_and_sd(sampled)
        pmean, psd = mean_and_sd(pop_mean)
        inputs[name] = {
            'mean': smean, 'sd': _none_if_nan(ssd), 'meanSem': _none_if_nan(mean_and_sem(sampled)[1]),
            'populationMean': {'mean': pmean, 'sd': _none_if_nan(psd), 'meanSem': _none_if_nan(mean_and_sem(pop_mean)[1])},
        }
    for r in S.stp:
        mon, entries = r['monitor'], r['entries']
        # Bin b ends at step (b + 1) BIN_STEPS: the record taken at the start of that step, or,
        # for the last bin of the run, the state after the run.
        snaps = len(mon.t[:])
        recorded = {v: np.asarray(getattr(mon, v), dtype=float) for v in r['variables']}
        final = {v: np.asarray(getattr(r['source'], v)[:], dtype=float) for v in r['variables']}
        def state(v, k):
            return recorded[v][:, k] if k is not None else final[v]
        names = STP_VARIABLES[r['kind']]
        series = [np.empty((TRIALS, bins)) for _ in names]
        for b in range(bins):
            t_end = (b + 1) * BIN_STEPS * DT
            k = b + 1 if b + 1 < snaps else None
            values = [state(v, k) for v in r['variables'][:-1]]
            t_last = state(r['variables'][-1], k)
            if r['kind'] == 'three-state':
                y, z = values
                values = [1 - y - z, y, z]
            relaxed = relax_stp(r['kind'], values, t_last, t_end, r['params'])
            for q, v in enumerate(relaxed):
                series[q][:, b] = v.reshape(TRIALS, entries).mean(axis=1) if entries > 0 else np.nan
        stp[r['name']], stp_sem[r['name']] = {}, {}
        for q, v in enumerate(names):
            add('stp.%s.%s' % (r['name'], v), series[q], 'stp_%s_%s' % (_stem(r['name']), v))
            stp[r['name']][v] = mean_and_sd(series[q])[0]
            stp_sem[r['name']][v] = _none_if_nan(mean_and_sem(series[q])[1])

    os.makedirs(out, exist_ok=True)
    for fname, data in arrays.items():
        # C order: mesostp's .npy reader (like most) takes row-major arrays only.
        np.save(os.path.join(out, fname), np.ascontiguousarray(data))
    summary = {
        'scenario': SCENARIO_NAME, 'level': 'brian2', 'trials': TRIALS, 'dt': DT,
        'duration': STEPS * DT, 'completedDuration': steps_done * DT, 'cancelled': False, 'seed': SEED,
        'wallSeconds': wall, 'record': {'trials': 'all', 'keptTrials': TRIALS},
        'populations': populations, 'inputs': inputs, 'stp': stp, 'stpSem': stp_sem,
        'engine': {'simulator': 'brian2', 'brian2': b2.__version__, 'target': S.target, 'integration': INTEGRATION,
                   'brian2RunSeconds': brian2_seconds, 'exportedBy': 'mesostp ' + MESOSTP_VERSION},
        'files': files,
    }
    with open(os.path.join(out, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2, allow_nan=False, default=_none_if_nan)
        f.write('\n')
    return summary


STP_VARIABLES = {'tsodyks-markram': ['u', 'x'], 'depression': ['x'], 'three-state': ['x', 'y', 'z']}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', required=True, help='folder for summary.json and the .npy arrays (as mesostp run --out)')
    ap.add_argument('--target', choices=('numpy', 'cython', 'cpp_standalone'), default='numpy',
                    help='Brian2 code generation target (default numpy: no compiler needed)')
    ap.add_argument('--seed', type=int, default=None, help="seed of Brian2's random numbers (default: the scenario's)")
    ap.add_argument('--progress', action='store_true', help="print Brian2's progress report")
    args = ap.parse_args()
    seed = SEED if args.seed is None else args.seed
    b2.prefs.logging.console_log_level = 'WARNING'
    build_dir = None
    if args.target == 'cpp_standalone':
        build_dir = tempfile.mkdtemp(prefix='mesostp-brian2-')
        b2.set_device('cpp_standalone', directory=build_dir, build_on_run=False)
    else:
        b2.prefs.codegen.target = args.target
    b2.defaultclock.dt = DT * b2.second
    b2.seed(seed)
    t0 = time.perf_counter()
    S = Session(args.target)
    build(S)
    net = b2.Network(*S.objects)
    # Resets (STP state at a spike) before synaptic propagation, as in mesostp's step.
    net.schedule = ['start', 'groups', 'thresholds', 'resets', 'synapses', 'end']
    net.run(STEPS * DT * b2.second, report='text' if args.progress else None, namespace=S.namespace)
    if build_dir is not None:
        b2.device.build(directory=build_dir, compile=True, run=True, with_output=False)
    brian2_seconds = float(b2.device._last_run_time)
    summary = write_outputs(S, args.out, time.perf_counter() - t0, brian2_seconds)
    if build_dir is not None:
        shutil.rmtree(build_dir, ignore_errors=True)
    rates = ', '.join('%s %.4g Hz' % (k, v['rateHz']) for k, v in summary['populations'].items())
    print('brian2 %s (%s): %s -> %s' % (b2.__version__, args.target, rates, args.out))


if __name__ == '__main__':
    main()
`;

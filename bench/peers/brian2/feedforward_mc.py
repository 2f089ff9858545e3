#!/usr/bin/env python3
"""Brian2 peer of mesostp bench's Monte Carlo workload (bench/cases.ts, monteCarlo).

B trials of one feedforward network in one Brian2 network: B x N Poisson sources and B x M
escape-noise LIF targets; source i of trial b = i // N projects to that trial's targets only. Each
synapse carries its own Tsodyks-Markram state; with one presynaptic neuron per synapse row, that
is the per-presynaptic-neuron state of mesostp, updated by the same spikes. The recorded input of
the first neurons of every trial is sampled at the start of every bin (mesostp averages it over
the bin: the same mean).

Prints one JSON line: timings, and statistics that show it ran the same network (spikes per
trial, mean recorded input, mean u and x at the end).
"""
import common


def main():
    args = common.parse_args(__doc__)
    s = common.Session(args)
    b2, np, p = s.b2, s.np, s.p
    B = p['trials']
    src, pop = p['sources'], p['neurons']
    (proj,) = p['projections']
    N, M = src['N'], pop['N']

    P = s.poisson_group(src, B)
    G = s.glif_group(pop, B, [('in', proj['tauS'], proj['inputScale'])])
    stp = proj['stp']
    ns = {'k_in': proj['weight'] * proj['kickScale']}
    if stp is not None:
        model, on_pre = common.synapse_stp_code(stp)
        on_pre.append('g_in_post += k_in * w_spike')
        ns.update(common.stp_namespace(b2, stp))
    else:
        model, on_pre = [], ['g_in_post += k_in']
    S = b2.Synapses(P, G, model='\n'.join(model), on_pre='\n'.join(on_pre), delay=(proj['delaySteps'] - 1) * s.dt,
                    method='exact', namespace=ns, name='syn')
    synapses = s.connect(S, proj, N, M, B, same_population=False)
    if stp is not None:
        S.u = stp['U0']
        S.x = 1

    spikes_pre = b2.SpikeMonitor(P, record=False)
    spikes_post = b2.SpikeMonitor(G, record=False)
    inputs = s.input_monitor(G, M, B)
    monitors = [spikes_pre, spikes_post] + ([inputs] if inputs is not None else [])
    net = b2.Network(P, G, S, *monitors)
    s.run(net)

    stats = {'populations': {src['name']: s.spikes_per_trial(spikes_pre, N, B), pop['name']: s.spikes_per_trial(spikes_post, M, B)}}
    if inputs is not None:
        stats['inputs'] = s.input_stats(inputs, pop['name'], B)
    if stp is not None:
        # Brian2 applies the spikes to the synapse (D - 1) steps late, so the state at its end time
        # is the presynaptic state at T - (D - 1) dt: the same in distribution.
        t_end = p['steps'] * p['dt']
        t_last = np.asarray(S.lastupdate[:]) if 'lastupdate' in S.variables else np.zeros(len(S))
        mean, sd = s.relaxed_stp(S.u[:], S.x[:], t_last, stp, t_end)
        stats['stpEnd'] = {proj['name']: mean}
        stats['stpEndSd'] = {proj['name']: sd}
    s.report(stats, synapses * B)


if __name__ == '__main__':
    main()

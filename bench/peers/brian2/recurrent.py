#!/usr/bin/env python3
"""Brian2 peer of mesostp bench's recurrent workload (bench/cases.ts, recurrent).

One population of escape-noise LIF neurons with depressing recurrent synapses of fixed in-degree
and input from a pool of Poisson sources (scenarios/v6-scale.json). As in mesostp, the STP state
of the recurrent projection lives per presynaptic neuron (its synapses all see the same spikes):
at a spike the neuron's reset relaxes (u, x) from its last spike, applies the Tsodyks-Markram
update and keeps the efficacy w of this spike, which every outgoing synapse adds to its target's
filter when the spike arrives. Resets run before synaptic propagation in every step, so that an
arrival in the spike's own step (a delay of one step) reads this spike's w; a later spike of the
same neuron cannot overwrite w before its arrival because the refractory period outlasts the
delay (bench/peers/brian2.ts refuses a scenario where it does not).

Prints one JSON line: timings, and statistics that show it ran the same network (spikes per
trial and rate of every population, the mean recorded input, mean u and x of the recurrent STP
at the end).
"""
import common


def main():
    args = common.parse_args(__doc__)
    s = common.Session(args)
    b2, np, p = s.b2, s.np, s.p
    B = p['trials']
    src, pop = p['sources'], p['neurons']
    ext = next(q for q in p['projections'] if q['from'] == src['name'])
    rec = next(q for q in p['projections'] if q['from'] == pop['name'])
    stp = rec['stp']

    filters = [('ext', ext['tauS'], ext['inputScale']), ('rec', rec['tauS'], rec['inputScale'])]
    if stp is not None:
        u_minus = 'U0_stp + (u_stp - U0_stp) * exp(-(t - t_stp) / tauF_stp)' if stp['tauF'] > 0 else 'U0_stp'
        x_minus = '1 + (x_stp - 1) * exp(-(t - t_stp) / tauD_stp)' if stp['tauD'] > 0 else '1'
        reset = '\n'.join([
            f'u_stp = {u_minus}',
            f'x_stp = {x_minus}',
            'u_stp = u_stp + U_stp * (1 - u_stp)',
            'w_stp = u_stp * x_stp',
            'x_stp = x_stp - w_stp',
            't_stp = t',
        ])
        extra = ['u_stp : 1', 'x_stp : 1', 'w_stp : 1', 't_stp : second']
        G = s.glif_group(pop, B, filters, extra_eqs=extra, reset_extra=reset, extra_ns=common.stp_namespace(b2, stp))
        G.u_stp = stp['U0']
        G.x_stp = 1
        rec_on_pre = 'g_rec_post += k_rec * w_stp_pre'
    else:
        G = s.glif_group(pop, B, filters)
        rec_on_pre = 'g_rec_post += k_rec'
    P = s.poisson_group(src, B)

    if ext['stp'] is not None:
        model, on_pre = common.synapse_stp_code(ext['stp'])
        on_pre.append('g_ext_post += k_ext * w_spike')
        ns_ext = {'k_ext': ext['weight'] * ext['kickScale'], **common.stp_namespace(b2, ext['stp'])}
    else:
        model, on_pre = [], ['g_ext_post += k_ext']
        ns_ext = {'k_ext': ext['weight'] * ext['kickScale']}
    S_ext = b2.Synapses(P, G, model='\n'.join(model), on_pre='\n'.join(on_pre), delay=(ext['delaySteps'] - 1) * s.dt,
                        method='exact', namespace=ns_ext, name='syn_ext')
    n_ext = s.connect(S_ext, ext, src['N'], pop['N'], B, same_population=False)
    if ext['stp'] is not None:
        S_ext.u = ext['stp']['U0']
        S_ext.x = 1
    S_rec = b2.Synapses(G, G, on_pre=rec_on_pre, delay=(rec['delaySteps'] - 1) * s.dt,
                        namespace={'k_rec': rec['weight'] * rec['kickScale']}, name='syn_rec')
    n_rec = s.connect(S_rec, rec, pop['N'], pop['N'], B, same_population=True)

    spikes_src = b2.SpikeMonitor(P, record=False)
    spikes = b2.SpikeMonitor(G, record=False)
    inputs = s.input_monitor(G, pop['N'], B)
    net = b2.Network(P, G, S_ext, S_rec, spikes_src, spikes, *([inputs] if inputs is not None else []))
    # Resets (where the STP update and w are computed) before the synapses that read w.
    net.schedule = ['start', 'groups', 'thresholds', 'resets', 'synapses', 'end']
    s.run(net)

    stats = {'populations': {src['name']: s.spikes_per_trial(spikes_src, src['N'], B), pop['name']: s.spikes_per_trial(spikes, pop['N'], B)}}
    if inputs is not None:
        stats['inputs'] = s.input_stats(inputs, pop['name'], B)
    if stp is not None:
        t_end = p['steps'] * p['dt']
        mean, sd = s.relaxed_stp(G.u_stp[:], G.x_stp[:], np.asarray(G.t_stp[:]), stp, t_end)
        stats['stpEnd'] = {rec['name']: mean}
        stats['stpEndSd'] = {rec['name']: sd}
    s.report(stats, (n_ext + n_rec) * B)


if __name__ == '__main__':
    main()

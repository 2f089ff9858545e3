import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { PEER_ENGINES, SIZES, type BenchSize } from '../../../bench/cases';
import { runBenchmarks, type BenchResults } from '../../../bench/harness';
import { mergeBenchResults, terminalReport, withCurrentIds, writeBenchReport } from '../../../bench/report';
import { BENCH_VARIANTS, variant } from '../../engines';

const help = `mesostp bench [--quick | --full] [--peers] [--repeat R] [--only WORKLOAD,...] [--out DIR]
mesostp bench --report RESULTS.json[,RESULTS.json…] [--out DIR]

Benchmarks every engine on the same workloads and writes DIR/benchmarks.md (tables, log-log
plots of cost against trials and N, the targets met or not), DIR/benchmarks/results.json
(every run) and the figures. Each run is a fresh \`mesostp run\` process; engines are
interleaved and each case is repeated, figures are medians with min and max.

Workloads: feedforward (the V2 preset at B = 1, 64, 1024 trials), recurrent (escape-noise LIF
with depressing synapses, fixed in-degree 100, N = 10³ … 10⁵; STP per presynaptic neuron, per
synapse, and procedural connectivity; meso and macro on the same scenario), set-up (a network
of N neurons with 10³ synapses each). Two cases are also the workloads of the peers: a
V2-type Monte Carlo (1000 Poisson neurons at 10 Hz per trial, Tsodyks–Markram synapses, a
5-ms filter, dt = 0.1 ms; B = ${SIZES.full.peerMonteCarlo.trials} trials of ${SIZES.full.peerMonteCarlo.duration} s with --full) and one recurrent network of 500
neurons at dt = 0.1 ms (${SIZES.full.peerRecurrent.duration} s with --full).

Engine variants (\`mesostp run --help\` gives their options): ${BENCH_VARIANTS.join(', ')}.

Options:
  --quick     shortened runs, one repeat: under 5 minutes on a 2-core machine (default)
  --full      the sizes of docs/benchmarks.md (tens of minutes; with --peers, about two hours)
  --peers     also run Brian2 on the peer workloads (hand-written scripts in bench/peers/brian2):
              ${PEER_ENGINES.join(' and ')} (the cython target on one thread; C++ standalone
              with OpenMP on all cores), interleaved with the engines; the report gives the
              ratios and the targets against Brian2. Needs Brian2 (scripts/install-system-deps.sh
              --brian on Debian 12; MESOSTP_PYTHON picks the interpreter); without it the peers
              are reported as refused, with the install command
  --repeat R  repeats per case (default: quick ${SIZES.quick.repeats}, full ${SIZES.full.repeats})
  --only W    only these workloads (feedforward, recurrent, set-up; peers: the two cases
              that Brian2 runs too; meso: the V2 preset at the meso engines, meso-gpu's targets)
  --out DIR   output folder (default out/bench)
  --smoke     tiny sizes that check the harness (the test suite uses it)
  --report F  write the report of an earlier run's results.json again (nothing is run); several
              files, comma-separated, make one report of their cases (a later file's case replaces
              an earlier one's), e.g. a full run and a --peers run. DIR/benchmarks/notes.md, when
              present, is included after the targets (hand-written notes survive a new report)

A recurrent case's "steady state" column is the cost of steps alone: each engine runs it a second
time for longer, and the extra run time per extra simulated second excludes set-up and the
JavaScript engine's warm-up (the meso targets are judged on it).`;

export function benchCommandFactory(workerScript?: URL): Command {
  return {
    name: 'bench',
    summary: `benchmark ${[...new Set(BENCH_VARIANTS.map((v) => variant(v).engine))].join(', ')} on the same workloads`,
    help,
    async run(args) {
      const { values } = parseArgs({
        args,
        strict: true,
        options: {
          quick: { type: 'boolean' },
          full: { type: 'boolean' },
          smoke: { type: 'boolean' },
          peers: { type: 'boolean' },
          repeat: { type: 'string' },
          only: { type: 'string' },
          out: { type: 'string' },
          report: { type: 'string' },
        },
      });
      const out = values.out ?? 'out/bench';
      if (values.report !== undefined) {
        const results = mergeBenchResults(values.report.split(',').map((f) => withCurrentIds(JSON.parse(readFileSync(f, 'utf8')) as BenchResults)));
        const path = await writeBenchReport(out, results);
        console.log(terminalReport(results));
        console.log(`\nReport: ${path}`);
        return 0;
      }
      if ([values.quick, values.full, values.smoke].filter(Boolean).length > 1) {
        console.error('mesostp bench: choose one of --quick, --full, --smoke');
        return 2;
      }
      const size: BenchSize = values.full ? 'full' : values.smoke ? 'smoke' : 'quick';
      const repeats = values.repeat === undefined ? undefined : Number(values.repeat);
      if (repeats !== undefined && !(Number.isInteger(repeats) && repeats >= 1)) {
        console.error(`mesostp bench: --repeat takes an integer ≥ 1, got "${values.repeat}"`);
        return 2;
      }
      const workloads = values.only?.split(',');
      const known = ['feedforward', 'recurrent', 'set-up', 'peers', 'meso'];
      const unknown = workloads?.filter((w) => !known.includes(w)) ?? [];
      if (unknown.length > 0) {
        console.error(`mesostp bench: unknown workload "${unknown.join(',')}"; choose from ${known.join(', ')}`);
        return 2;
      }
      const cli = workerScript ? fileURLToPath(workerScript) : process.argv[1];
      const command = `mesostp bench --${size}${values.peers ? ' --peers' : ''}${values.repeat ? ` --repeat ${values.repeat}` : ''}${values.only ? ` --only ${values.only}` : ''}${values.out ? ` --out ${values.out}` : ''}`;
      const results = await runBenchmarks({
        size,
        repeats,
        cli,
        workloads,
        peers: values.peers,
        command,
        onProgress: (line) => process.stderr.write(`${line}\n`),
      });
      const path = await writeBenchReport(out, results);
      console.log(terminalReport(results));
      console.log(`\nReport: ${path} (every run in ${out}/benchmarks/results.json)`);
      return 0;
    },
  };
}

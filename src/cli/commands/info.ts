import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { describeAdapter, GpuUnavailableError, KEY_LIMITS, type GpuContext } from '../../gpu/device';
import { requestNodeGpu } from '../../gpu/node';
import { runPhiloxSelfTest, SELF_TEST_CASES } from '../../rng/philoxSelfTest';

const help = `mesostp info [--json]

Finds the WebGPU adapter mesostp will use, prints it (vendor, architecture, description,
feature level, backend) with its key limits, and checks that a compute shader runs on it
(Philox 4x32-10 on the GPU against the TypeScript generator).

Exit status: 0 when the device works; 2 when there is no usable adapter (the message says
what to install); 1 when the device exists but the check fails.

Options:
  --json   print the same information as JSON
  MESOSTP_GPU_BACKEND=vulkan|opengl|...  forces one Dawn backend (default: auto)`;

/** The Philox self-test at a size that takes well under a second on a software adapter. */
async function selfCheck(ctx: GpuContext): Promise<{ ok: boolean; words: number; ms: number }> {
  const report = await runPhiloxSelfTest(ctx, { cases: SELF_TEST_CASES.slice(1, 3), blocks: 1024 });
  return { ok: report.status === 'passed', words: report.wordsCompared, ms: report.elapsedMs };
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'show the WebGPU adapter and its limits, and check that compute works',
  help,
  async run(args) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, strict: true });
    let ctx: GpuContext;
    try {
      ctx = await requestNodeGpu();
    } catch (error) {
      if (error instanceof GpuUnavailableError) {
        if (values.json) console.log(JSON.stringify({ ok: false, error: error.message }, null, 2));
        else console.error(error.message);
        return 2;
      }
      throw error;
    }
    try {
      const check = await selfCheck(ctx);
      const s = ctx.summary;
      if (values.json) {
        console.log(JSON.stringify({ ok: check.ok, adapter: s, selfCheck: check }, null, 2));
      } else {
        const rows: [string, string][] = [
          ['adapter', describeAdapter(s)],
          ['vendor', s.vendor || '(not reported)'],
          ['architecture', s.architecture || '(not reported)'],
          ['device', s.device || '(not reported)'],
          ['description', s.description || '(not reported)'],
          ['feature level', s.featureLevel],
          ['backend', s.backend],
          ['software', s.software ? 'yes (CPU implementation: timings are not GPU timings)' : 'no'],
          ...(s.loopIterationCap !== null
            ? [
                [
                  'loop iteration cap',
                  `${s.loopIterationCap} per invocation (Mesa's llvmpipe before 25): micro-gpu avoids its resident schedule, meso-gpu takes one step per dispatch; Mesa ≥ 25 has none (docs/platform.md)`,
                ] as [string, string],
              ]
            : []),
          ...KEY_LIMITS.map((name): [string, string] => [name, s.limits[name].toLocaleString('en-US')]),
          ['compute check', `${check.ok ? 'passed' : 'FAILED'}: ${check.words} Philox words, ${check.ms.toFixed(1)} ms`],
        ];
        const width = Math.max(...rows.map(([k]) => k.length));
        for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
      }
      return check.ok ? 0 : 1;
    } finally {
      ctx.destroy();
    }
  },
};

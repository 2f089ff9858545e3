/**
 * The loop iteration cap of Mesa's llvmpipe before 25 (src/gpu/device.ts loopIterationCap) and
 * what micro-gpu's schedule choice makes of it (src/micro/gpu/resident.ts chooseSchedule,
 * scheduleUnsupported; src/micro/gpu/fused.ts stpMeansPerThread). Pure functions of the adapter
 * info: no device, and no Mesa 22 needed (docs/platform.md has the measurements on Mesa 22.3.6).
 */
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../src/compile';
import { loopIterationCap, MESA_LOOP_ITERATION_CAP, mesaVersion } from '../../src/gpu/device';
import { ScenarioSchema } from '../../src/model/scenario';
import { stpMeansPerThread } from '../../src/micro/gpu/fused';
import { planGpu } from '../../src/micro/gpu/plan';
import { chooseSchedule, RESIDENT_SOFTWARE_MAX_TRIALS, scheduleUnsupported } from '../../src/micro/gpu/resident';
import v6Preset from '../../scenarios/v6-scale.json';

// Adapter infos as Dawn reports them (the first two seen on Debian 12 through the OpenGL backend).
const mesa22Gl = { vendor: '', architecture: '', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL version 4.5 (Core Profile) Mesa 22.3.6' };
const mesa25Gl = {
  vendor: '',
  architecture: '',
  device: 'llvmpipe-llvm-15-0-6-256-bits-',
  description: 'OpenGL version 4.5 (Core Profile) Mesa 25.0.7-2~bpo12+1',
};
const lavapipe25 = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe', description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6)' };

describe('the loop iteration cap of an adapter', () => {
  it('reads the Mesa version an adapter names', () => {
    expect(mesaVersion(mesa22Gl.description)).toEqual([22, 3, 6]);
    expect(mesaVersion(lavapipe25.description)).toEqual([25, 0, 7]);
    expect(mesaVersion('OpenGL ES 3.2 Mesa 24.1')).toEqual([24, 1, 0]);
    expect(mesaVersion('NVIDIA 550.54')).toBeNull();
  });

  it("is 65535 for Mesa's llvmpipe or lavapipe before 25, or of no stated version", () => {
    expect(MESA_LOOP_ITERATION_CAP).toBe(65535);
    expect(loopIterationCap(mesa22Gl)).toBe(65535);
    expect(loopIterationCap({ ...lavapipe25, description: 'llvmpipe: Mesa 22.3.6 (LLVM 15.0.6)' })).toBe(65535);
    // 23.x and 24.x are not measured: they count as capped (the fused schedule is right either way).
    expect(loopIterationCap({ ...mesa22Gl, description: 'OpenGL version 4.5 (Core Profile) Mesa 24.2.8' })).toBe(65535);
    expect(loopIterationCap({ device: 'llvmpipe' })).toBe(65535);
  });

  it('is null for Mesa ≥ 25 and for every other adapter', () => {
    expect(loopIterationCap(mesa25Gl)).toBeNull();
    expect(loopIterationCap(lavapipe25)).toBeNull();
    expect(loopIterationCap({ ...mesa22Gl, description: 'OpenGL version 4.5 (Core Profile) Mesa 26.1.0' })).toBeNull();
    // Mesa's hardware drivers compile with their own back ends, not gallivm.
    expect(loopIterationCap({ device: 'AMD Radeon RX 6600 (radeonsi, navi23, LLVM 15.0.6)', description: 'OpenGL version 4.6 Mesa 22.3.6' })).toBeNull();
    expect(loopIterationCap({ vendor: 'google', architecture: 'swiftshader', device: 'SwiftShader Device (Subzero)', description: '' })).toBeNull();
    expect(loopIterationCap({ vendor: 'nvidia', architecture: 'ampere', device: 'NVIDIA H200', description: 'NVIDIA 550.54' })).toBeNull();
  });
});

/** micro-gpu's plan of V6's network (scenarios/v6-scale.json) at N neurons, its recurrent STP projection extended by `extra`. */
function plan(N: number, extra: Record<string, unknown> = {}) {
  const json = structuredClone(v6Preset) as Record<string, any>;
  json.populations.E.N = N;
  Object.assign(json.projections[1], extra);
  json.run = { ...json.run, duration: 0.01 };
  const s = ScenarioSchema.parse(json);
  return planGpu(compileNetwork(s, { engine: 'micro-gpu', proceduralWithoutCsr: true }), s, 1);
}

describe("micro-gpu's schedule under a loop iteration cap", () => {
  const v6 = plan(500);
  const cap = loopIterationCap(mesa22Gl);

  it('auto takes fused where it would take resident, and resident without the cap', () => {
    for (const T of [1, 4, RESIDENT_SOFTWARE_MAX_TRIALS]) {
      expect(chooseSchedule(v6, T, true, 'auto', cap)).toBe('fused');
      expect(chooseSchedule(v6, T, true, 'auto', loopIterationCap(mesa25Gl))).toBe('resident');
      expect(chooseSchedule(v6, T, true, 'auto')).toBe('resident');
    }
    expect(chooseSchedule(v6, 256, true, 'auto', cap)).toBe('fused');
  });

  it('refuses a forced resident schedule, naming the fused schedule and Mesa ≥ 25', () => {
    expect(chooseSchedule(v6, 1, true, 'resident', cap)).toBe('resident');
    const why = scheduleUnsupported(v6, 'resident', cap);
    expect(why).toMatch(/65535 iterations/);
    expect(why).toMatch(/--schedule fused/);
    expect(why).toMatch(/install-system-deps\.sh --vulkan/);
    expect(scheduleUnsupported(v6, 'resident', null)).toBeNull();
    expect(scheduleUnsupported(v6, 'fused', cap)).toBeNull();
    expect(scheduleUnsupported(v6, 'general', cap)).toBeNull();
  });

  it('keeps the STP means of many entries off a single invocation', () => {
    // Per-synapse STP state (heterogeneous τD): 100·N entries per trial, above 512 and below 65536.
    const perSynapse = plan(500, { heterogeneity: { tauD: { distribution: 'lognormal', cv: 0.2 } } });
    const entries = Math.max(...perSynapse.projections.map((gq) => gq.stpEntries));
    expect(entries).toBeGreaterThan(512);
    expect(entries).toBeLessThanOrEqual(65536);
    expect(stpMeansPerThread(perSynapse, true)).toBe(true);
    expect(stpMeansPerThread(perSynapse, true, cap)).toBe(false);
    // Few entries (STP per presynaptic neuron: 200): one invocation either way.
    expect(stpMeansPerThread(plan(200), true, cap)).toBe(true);
  });
});

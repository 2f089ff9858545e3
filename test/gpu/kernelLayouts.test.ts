/**
 * Host and WGSL agree by name, not by position: for every micro-gpu kernel (and meso-gpu's step) the parameter struct
 * the host packs (src/gpu/wgsl.ts wgslStruct) has the layout that WGSL gives the struct in the
 * kernel's composed source (parsed by webgpu-utils, independently of any compiler), the storage
 * bindings sit where the host binds them, and the model codes in the WGSL are those of
 * src/compile/codes.ts. No device needed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileNetwork, MODEL_CODES } from '../../src/compile';
import { MAX_MESO_GPU_POPULATIONS, MAX_MESO_GPU_PROJECTIONS } from '../../src/compile/support';
import { composeWgsl, wgslStruct, type WgslStruct } from '../../src/gpu/wgsl';
import { ScenarioSchema } from '../../src/model/scenario';
import { planGpu } from '../../src/micro/gpu/plan';
import { residentUnsupported } from '../../src/micro/gpu/resident';
import { residentWgsl } from '../../src/micro/gpu/kernels/resident';
import { FusedStep, fusedWgsl } from '../../src/micro/gpu/kernels/fused';
import { ArenaParams } from '../../src/micro/gpu/kernels/networkPhases';
import { MICRO_KERNELS } from '../../src/micro/gpu/kernels';
import { kernelSource } from '../../src/micro/gpu/kernels/kernel';
import { ACC, CONTROL, PROJECTION_INPUT, WG } from '../../src/micro/gpu/layout';
import {
  MAX_TRACKS,
  MESO_GPU_LAYOUTS,
  mesoStepParts,
  MesoParams,
  MesoPop,
  MesoProj,
  POP_SCALARS,
  POP_SUMS,
  SUMS_PER_TRACK,
  TRACK_SCALARS,
} from '../../src/meso/gpu/kernels/mesoStep';

// webgpu-utils 2.1.1 touches Float16Array and GPUShaderStage when it loads; Node 20 has neither
// (nothing here makes f16 views or bind group layouts).
const g = globalThis as Record<string, unknown>;
g.Float16Array ??= class extends Uint16Array {};
g.GPUShaderStage ??= { VERTEX: 1, FRAGMENT: 2, COMPUTE: 4 };
const { makeShaderDataDefinitions } = await import('webgpu-utils');

interface ReflectedType {
  size: number;
  type?: string;
  fields?: Record<string, { offset: number; type: ReflectedType }>;
}

/** Every member's path, WGSL type, offset and size, nested structs flattened. */
function hostLayout(s: WgslStruct, base = 0, prefix = ''): string[] {
  return s.members.flatMap((m) => {
    const field = s.fields[m.name];
    const line = `${prefix}${m.name}: ${m.type} @${base + m.offset} size ${m.size}`;
    return typeof field === 'object' ? [line, ...hostLayout(field, base + m.offset, `${prefix}${m.name}.`)] : [line];
  });
}

const SPELLING: Record<string, string> = {
  vec2f: 'vec2<f32>',
  vec3f: 'vec3<f32>',
  vec4f: 'vec4<f32>',
  vec2u: 'vec2<u32>',
  vec4u: 'vec4<u32>',
  vec2i: 'vec2<i32>',
  vec4i: 'vec4<i32>',
};

/**
 * The same from webgpu-utils' reflection. It does not name nested struct types: `host` (the host
 * struct at this level) supplies the name, their members' offsets and sizes are compared.
 */
function wgslLayout(t: ReflectedType, host: WgslStruct, base = 0, prefix = ''): string[] {
  return Object.entries(t.fields ?? {}).flatMap(([field, f]) => {
    const hostField = host.fields[field];
    const nested = f.type.fields !== undefined && typeof hostField === 'object';
    const type = nested ? hostField.name : (SPELLING[f.type.type!] ?? f.type.type ?? 'struct');
    const line = `${prefix}${field}: ${type} @${base + f.offset} size ${f.type.size}`;
    return nested ? [line, ...wgslLayout(f.type, hostField, base + f.offset, `${prefix}${field}.`)] : [line];
  });
}

function reflect(source: string) {
  return makeShaderDataDefinitions(source);
}

describe('micro-gpu kernels: host and WGSL declare the same layouts', () => {
  it('lists every kernel file', () => {
    const files = readdirSync('src/micro/gpu/kernels').filter((f) => f.endsWith('.wgsl'));
    const libraries = ['common.wgsl', 'stp.wgsl', 'stpState.wgsl', 'spikeDraw.wgsl', 'arena.wgsl', 'workgroupSum.wgsl', 'pulseJump.wgsl', 'kineticGate.wgsl'];
    // The resident and fused kernels are generated per network (checked below).
    const generated = ['resident.wgsl', 'fused.wgsl'];
    expect(MICRO_KERNELS.map((k) => `${k.name}.wgsl`).sort()).toEqual(files.filter((f) => !libraries.includes(f) && !generated.includes(f)).sort());
  });

  for (const kernel of MICRO_KERNELS) {
    describe(kernel.name, () => {
      const source = kernelSource(kernel);
      const defs = reflect(source);

      it(`${kernel.params.name} at binding 0: every field's name, type, offset and size, and the struct's size`, () => {
        const P = defs.uniforms.P;
        expect(P, 'the kernel declares var<uniform> P').toBeDefined();
        expect([P.group, P.binding]).toEqual([0, 0]);
        expect(wgslLayout(P.typeDefinition as ReflectedType, kernel.params)).toEqual(hostLayout(kernel.params));
        expect(P.typeDefinition.size).toBe(kernel.params.size);
        expect(Object.keys(defs.uniforms)).toEqual(['P']);
      });

      it('storage bindings 1, 2, … in the host order, and the entry points', () => {
        const reflected = Object.entries(defs.storages).map(([name, v]) => [name, v.group, v.binding]);
        expect(reflected.sort((a, b) => (a[2] as number) - (b[2] as number))).toEqual(kernel.bindings.map((name, i) => [name, 0, i + 1]));
        expect(Object.keys(defs.entryPoints).sort()).toEqual([...kernel.entryPoints].sort());
      });

      it('model codes and layout constants as in src/compile/codes.ts and src/micro/gpu/layout.ts', () => {
        const consts = new Map<string, number>();
        for (const m of source.matchAll(/const\s+(\w+)\s*:\s*u32\s*=\s*(\d+)u\s*;/g)) {
          expect(consts.has(m[1]), `${m[1]} declared twice`).toBe(false);
          consts.set(m[1], Number(m[2]));
        }
        for (const [name, value] of Object.entries({ ...MODEL_CODES, ...CONTROL, ...ACC, ...PROJECTION_INPUT, WG }))
          expect([name, consts.get(name)]).toEqual([name, value]);
      });
    });
  }
});

describe('the resident and fused kernels, generated for a network with every phase they have', () => {
  // Poisson (event scheme) and GLIF populations, a delta and a filtered projection, conductance
  // pulses unblocked and blocked, kinetic receptors with gates per presynaptic neuron and per
  // synapse, per-synapse filters without and with postsynaptic stages, STP recorded.
  const s = ScenarioSchema.parse({
    name: 'resident layout',
    populations: {
      ext: { model: 'poisson', N: 400, rate: { type: 'constant', value: 10 } },
      E: {
        model: 'glif',
        N: 100,
        tauM: 0.02,
        mu: { type: 'constant', value: 10 },
        uReset: 0,
        tRef: 0.002,
        c: 10,
        deltaU: 2,
        uTh: 15,
        adaptation: [{ J: 1, tau: 0.1 }],
      },
    },
    projections: [
      { from: 'ext', to: 'E', connectivity: { type: 'fixed-indegree', C: 20 }, weight: 0.2, delay: 0.001, filter: { type: 'delta' } },
      {
        from: 'ext',
        to: 'E',
        connectivity: { type: 'fixed-indegree', C: 20 },
        weight: 0.02,
        delay: 0.001,
        filter: { type: 'delta' },
        output: { type: 'conductance', E: 65 },
      },
      {
        from: 'ext',
        to: 'E',
        connectivity: { type: 'fixed-indegree', C: 20 },
        weight: 0.02,
        delay: 0.001,
        filter: { type: 'delta' },
        output: { type: 'conductance', E: 65, mgBlock: { Mg: 1 } },
      },
      {
        from: 'ext',
        to: 'E',
        connectivity: { type: 'fixed-indegree', C: 10 },
        weight: 0.05,
        delay: 0.001,
        filter: { type: 'kinetic', receptor: 'AMPA' },
        output: { type: 'conductance', E: 65 },
        stp: { model: 'tsodyks-markram', U: 0.3, U0: 0.3, tauD: 0.2, tauF: 0.05 },
      },
      {
        from: 'E',
        to: 'E',
        connectivity: { type: 'fixed-indegree', C: 10 },
        weight: 0.08,
        delay: 0.001,
        filter: { type: 'kinetic', receptor: 'NMDA' },
        output: { type: 'conductance', E: 65, mgBlock: { Mg: 1 } },
        stp: { model: 'depression', U: 0.4, tauD: 0.3 },
        heterogeneity: { U: { distribution: 'lognormal', cv: 0.4 } },
      },
      ...[{ type: 'delta' }, { type: 'alpha', tau: 0.004 }].map((filter) => ({
        from: 'ext',
        to: 'E',
        connectivity: { type: 'fixed-indegree', C: 10 },
        weight: 1.0,
        delay: 0.0005,
        filter,
        stp: { model: 'three-state', U: 0.5, tauIn: 0.004, tauRec: 0.4 },
        heterogeneity: { tauIn: { distribution: 'lognormal', cv: 0.5 } },
      })),
      {
        from: 'E',
        to: 'E',
        connectivity: { type: 'fixed-indegree', C: 10 },
        weight: 0.5,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'tsodyks-markram', U: 0.2, U0: 0.2, tauD: 0.2, tauF: 0.1 },
      },
      // Procedural rows without autapses (segmentEvents) and an explicit network drawn per trial (csrStart).
      {
        from: 'E',
        to: 'E',
        connectivity: { type: 'fixed-probability', p: 0.1 },
        storage: 'procedural',
        weight: 0.2,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'depression', U: 0.3, tauD: 0.2 },
      },
      {
        from: 'ext',
        to: 'E',
        connectivity: { type: 'fixed-indegree', C: 10, perTrial: true },
        weight: 0.2,
        delay: 0.0005,
        filter: { type: 'exponential', tau: 0.005 },
      },
    ],
    run: { dt: 0.0005, duration: 0.01 },
    record: { inputs: [{ population: 'E', neurons: 3 }], stp: true },
  });
  const plan = planGpu(compileNetwork(s, { engine: 'micro-gpu', proceduralWithoutCsr: true }), s, 1);
  const offsets = {
    populations: plan.populations.map(() => ({
      state: { c: 0, t: 1 },
      refr: { c: 0, t: 2 },
      activity: { c: 0, t: 3 },
      sampled: { c: 0, t: 4 },
      mean: { c: 0, t: 5 },
      lastSpike: { c: 0, t: 6 },
    })),
    projections: plan.projections.map(() => ({
      ring: { c: 0, t: 1 },
      stages: { c: 0, t: 2 },
      stp: { c: 0, t: 3 },
      last: { c: 0, t: 4 },
      csr: { c: 7, t: 0 },
      syn: { c: 8, t: 0 },
      gates: { c: 0, t: 6 },
      y: { c: 0, t: 7 },
      recordedStp: { c: 0, t: 5 },
    })),
  };
  const g = { plan, seed: 1, driveOffset: 8, recordStp: true, offsets };
  const fused = {
    spikeList: plan.populations.map(() => ({ c: 0, t: 6 })),
    efficacy: plan.projections.map(() => ({ c: 0, t: 7 })),
    inputPartial: plan.populations.map(() => ({ c: 0, t: 8 })),
    spikeCounts: { c: 0, t: 9 },
  };
  const kernels = [
    { name: 'resident', parts: residentWgsl(g), entryPoints: ['main'], uniforms: { R: [5, ArenaParams] } },
    {
      name: 'fused',
      parts: fusedWgsl({ ...g, fused }),
      entryPoints: ['binEnd', 'binEndThread', 'populations', 'propagation'],
      uniforms: { R: [5, ArenaParams], S: [6, FusedStep] },
    },
  ] as const;

  it('fits the resident kernel (the fused one runs every network)', () => {
    expect(residentUnsupported(plan)).toBeNull();
  });

  for (const k of kernels) {
    describe(k.name, () => {
      const source = composeWgsl(k.parts);
      const defs = reflect(source);

      it(`its uniforms (${Object.values(k.uniforms)
        .map(([, st]) => st.name)
        .join(', ')}) laid out as on the host, the arenas and the control buffer at 0–4, its entry points`, () => {
        expect(Object.keys(defs.uniforms).sort()).toEqual(Object.keys(k.uniforms).sort());
        for (const [name, [binding, struct]] of Object.entries(k.uniforms) as [string, [number, WgslStruct<any>]][]) {
          const v = defs.uniforms[name];
          expect([v.group, v.binding]).toEqual([0, binding]);
          expect(wgslLayout(v.typeDefinition as ReflectedType, struct)).toEqual(hostLayout(struct));
        }
        const reflected = Object.entries(defs.storages).map(([name, v]) => [name, v.group, v.binding]);
        expect(reflected.sort((a, b) => (a[2] as number) - (b[2] as number))).toEqual(['ctl', 'F', 'U', 'A', 'spikeRec'].map((name, i) => [name, 0, i]));
        expect(Object.keys(defs.entryPoints).sort()).toEqual([...k.entryPoints]);
      });

      it('model codes and layout constants as in src/compile/codes.ts and src/micro/gpu/layout.ts, and no code spelled as a number', () => {
        const consts = new Map<string, number>();
        for (const m of source.matchAll(/const\s+(\w+)\s*:\s*u32\s*=\s*(\d+)u\s*;/g)) {
          expect(consts.has(m[1]), `${m[1]} declared twice`).toBe(false);
          consts.set(m[1], Number(m[2]));
        }
        for (const [name, value] of Object.entries({ ...MODEL_CODES, ...CONTROL })) expect([name, consts.get(name)]).toEqual([name, value]);
        const generated = k.parts[k.parts.length - 1].code.split('\n');
        expect(generated.filter((l) => BARE_CODE.some((r) => r.test(l)))).toEqual([]);
        expect(source).toContain('stp_on_spike(STP_TM,');
      });
    });
  }
});

/** A model code, a stage/input code or a layout word spelled as a bare number where a name exists. */
const BARE_CODE = [
  /\b(STP|MODEL|INPUT|model)\s*(==|!=|<=|>=|<|>)\s*\d/,
  /\d+u?\s*(==|!=|<=|>=|<|>)\s*(STP|MODEL|INPUT|model)\b/,
  /\boverride\s+(STP|MODEL|INPUT)\s*:\s*u32\s*=\s*\d/,
  /\bconst\s+(NEURON|FILTER|STP|INPUT|CTL|ACC)_\w+/,
  /\b(acc|ctl)\[\s*\d+u?\s*[*\]]/,
];

describe('kernel WGSL files spell no model code as a number', () => {
  it('the check catches what it is for', () => {
    for (const bad of [
      'if (STP == 1u) {',
      'if (3u == STP) {',
      'override STP: u32 = 0u;',
      'const STP_TM: u32 = 1u;',
      'if (model != 2u) {',
      'acc[3u * TN + k]',
      'x = acc[4u]',
      'ctl[2]',
    ]) {
      expect(
        BARE_CODE.some((r) => r.test(bad)),
        bad,
      ).toBe(true);
    }
    for (const good of ['if (STP == STP_TM) {', 'override STAGES: u32 = 0u;', 'if (STAGES > 1u) {', 'acc[ACC_KICKS * TN + k]', 'stp[2u * m + e]']) {
      expect(
        BARE_CODE.some((r) => r.test(good)),
        good,
      ).toBe(false);
    }
  });

  const dir = 'src/micro/gpu/kernels';
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.wgsl'))) {
    it(file, () => {
      const lines = readFileSync(`${dir}/${file}`, 'utf8').split('\n');
      const offending = lines.map((l, i) => [i + 1, l.replace(/\/\/.*$/, '')] as const).filter(([, l]) => BARE_CODE.some((r) => r.test(l)));
      expect(offending.map(([i, l]) => `${file}:${i}: ${l.trim()}`)).toEqual([]);
    });
  }
  it('the generated parts too', () => {
    for (const kernel of MICRO_KERNELS) {
      for (const part of kernel.parts.filter((p) => !p.name.startsWith('kernels/') && !p.name.includes('codes') && !p.name.includes('layouts'))) {
        expect(
          part.code.split('\n').filter((l) => BARE_CODE.some((r) => r.test(l))),
          `${kernel.name}: ${part.name}`,
        ).toEqual([]);
      }
    }
  });
});

describe('wgslStruct: WGSL layout rules and a packer keyed by name', () => {
  const Inner = wgslStruct('Inner', { a: 'f32', b: 'vec3<f32>', c: 'u32' });
  const Outer = wgslStruct('Outer', { n: 'u32', v: 'vec2<f32>', w: 'vec3<i32>', x: 'f32', inner: Inner, y: 'i32', q: 'vec4<u32>' });

  it('every scalar, vector and nested struct where WGSL puts it', () => {
    const defs = reflect(
      `${Inner.part.code}\n${Outer.part.code}\n@group(0) @binding(0) var<uniform> P: Outer;\n@compute @workgroup_size(1) fn main() { let x = P.n; }`,
    );
    expect(wgslLayout(defs.uniforms.P.typeDefinition as ReflectedType, Outer)).toEqual(hostLayout(Outer));
    expect(defs.uniforms.P.typeDefinition.size).toBe(Outer.size);
    // By hand: n 0, v 8, w 16 (vec3 aligns to 16), x 28, inner 32 (@align(16), its size 32 rounded
    // to 32), y 64, q 80, struct 96.
    expect(Outer.members.map((m) => [m.name, m.offset])).toEqual([
      ['n', 0],
      ['v', 8],
      ['w', 16],
      ['x', 28],
      ['inner', 32],
      ['y', 64],
      ['q', 80],
    ]);
    expect(Outer.size).toBe(96);
  });

  it('packs by field name', () => {
    const bytes = Outer.pack({ n: 3, v: [1.5, 2.5], w: [-1, 2, -3], x: 0.25, inner: { a: 7, b: [1, 2, 3], c: 9 }, y: -4, q: [1, 2, 3, 4] });
    const view = new DataView(bytes);
    expect(view.getUint32(0, true)).toBe(3);
    expect(view.getFloat32(12, true)).toBe(2.5);
    expect(view.getInt32(24, true)).toBe(-3);
    expect(view.getFloat32(28, true)).toBe(0.25);
    expect(view.getFloat32(32, true)).toBe(7);
    expect(view.getFloat32(56, true)).toBe(3);
    expect(view.getUint32(60, true)).toBe(9);
    expect(view.getInt32(64, true)).toBe(-4);
    expect(view.getUint32(92, true)).toBe(4);
  });

  it('refuses a missing or unknown field, naming it (and the type checker refuses both)', () => {
    const S = wgslStruct('S', { n: 'u32', dt: 'f32', e: 'vec4<f32>' });
    // @ts-expect-error dt is missing
    expect(() => S.pack({ n: 1, e: [0, 0, 0, 0] })).toThrow(/S: missing field "dt"/);
    // @ts-expect-error dtt is not a field
    expect(() => S.pack({ n: 1, dt: 1, dtt: 2, e: [0, 0, 0, 0] })).toThrow(/S: unknown field "dtt"/);
    expect(() => S.pack({ n: 1, dt: 1, e: [0, 0, 0] })).toThrow(/S\.e: expected 4 components/);
    expect(() => S.pack({ n: -1, dt: 1, e: [0, 0, 0, 0] })).toThrow(/S\.n: -1 is not a u32/);
    expect(() => S.pack({ n: 1.5, dt: 1, e: [0, 0, 0, 0] })).toThrow(/S\.n: 1\.5 is not a u32/);
    // @ts-expect-error a number where a vector goes
    expect(() => S.pack({ n: 1, dt: 1, e: 0 })).toThrow(/S\.e: expected 4 components/);
  });

  it('refuses names that are not WGSL identifiers', () => {
    expect(() => wgslStruct('S', { 'a-b': 'u32' })).toThrow(/not a WGSL identifier/);
    expect(() => wgslStruct('S', {})).toThrow(/no fields/);
  });
});

describe.each(MESO_GPU_LAYOUTS)("meso-gpu mesoStep, layout '%s': host and WGSL declare the same layouts", (layout) => {
  const source = composeWgsl(mesoStepParts(layout));
  // The reflection cannot size a workgroup array by an override without a value: give LANES one.
  const defs = reflect(source.replace('override LANES: u32;', 'const LANES: u32 = 64u;'));

  it('MesoParams at binding 0, and the population and projection tables (uniform arrays) at 1 and 2, field by field', () => {
    const P = defs.uniforms.P;
    expect([P.group, P.binding]).toEqual([0, 0]);
    expect(wgslLayout(P.typeDefinition as ReflectedType, MesoParams)).toEqual(hostLayout(MesoParams));
    expect(P.typeDefinition.size).toBe(MesoParams.size);
    for (const [name, binding, host, count] of [
      ['pops', 1, MesoPop, MAX_MESO_GPU_POPULATIONS],
      ['projs', 2, MesoProj, MAX_MESO_GPU_PROJECTIONS],
    ] as const) {
      const table = defs.uniforms[name];
      expect([table.group, table.binding]).toEqual([0, binding]);
      const array = table.typeDefinition as unknown as { elementType: ReflectedType; numElements: number; size: number };
      expect(wgslLayout(array.elementType, host)).toEqual(hostLayout(host));
      // The host writes rows host.size apart: the uniform array's stride must be that.
      expect([array.size / array.numElements, array.numElements]).toEqual([host.size, count]);
    }
    const storages = Object.entries(defs.storages).map(([name, v]) => [name, v.binding]);
    expect(storages.sort((a, b) => (a[1] as number) - (b[1] as number))).toEqual([
      ['drives', 3],
      ['state', 4],
      ['rec', 5],
      ['kernels', 6],
    ]);
  });

  it('model codes and layout constants as in src/compile/codes.ts and kernels/mesoStep.ts', () => {
    const consts = new Map<string, number>();
    for (const m of source.matchAll(/const\s+(\w+)\s*:\s*u32\s*=\s*(\d+)u\s*;/g)) {
      expect(consts.has(m[1]), `${m[1]} declared twice`).toBe(false);
      consts.set(m[1], Number(m[2]));
    }
    for (const [name, value] of Object.entries({
      ...MODEL_CODES,
      ...POP_SCALARS,
      ...TRACK_SCALARS,
      MAX_TRACKS,
      SUMS_PER_TRACK,
      TRACK_SUMS: SUMS_PER_TRACK * MAX_TRACKS,
      POP_SUMS,
      SUM_VECTORS: POP_SUMS + SUMS_PER_TRACK * MAX_TRACKS,
    }))
      expect([name, consts.get(name)]).toEqual([name, value]);
  });
});

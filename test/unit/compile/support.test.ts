/**
 * What each engine supports: every rule of src/compile/support.ts refuses for its engines only,
 * names the field, and is what the engines themselves throw.
 */
import { describe, expect, it } from 'vitest';
import { assertSupported, compileNetwork, EngineUnsupportedError, unsupportedFeatures, type CompileTarget } from '../../../src/compile';
import { simulateMeso } from '../../../src/meso';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { parseScenario } from '../../../src/model/validate';
import { scenario } from '../microCpu/support';

const ENGINES: CompileTarget[] = ['micro-cpu', 'micro-gpu', 'meso', 'macro', 'meso-gpu'];
const dt = 1e-4;
const glif = { model: 'glif', N: 20, tauM: 0.02, mu: { type: 'constant', value: 10 }, uReset: 0, tRef: 0.002, c: 10, deltaU: 2, uTh: 15 } as const;

function withProjection(extra: Record<string, unknown>, populations: Record<string, unknown> = {}) {
  return scenario({
    populations: { src: { model: 'poisson', N: 20, rate: { type: 'constant', value: 5 } }, post: glif, ...populations },
    projections: [
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-probability', p: 0.5 },
        weight: 0.1,
        delay: 2 * dt,
        filter: { type: 'exponential', tau: 0.005 },
        ...extra,
      },
    ],
    run: { dt, duration: 20 * dt, trials: 2, seed: 3 },
  });
}

function refusing(s: ReturnType<typeof withProjection>): CompileTarget[] {
  return ENGINES.filter((e) => unsupportedFeatures(e, s).length > 0);
}

describe('what each engine supports', () => {
  it('every engine runs a plain current-based projection with Tsodyks–Markram STP', () => {
    expect(refusing(withProjection({ stp: { model: 'tsodyks-markram', U: 0.2, U0: 0.2, tauD: 0.5, tauF: 0.1 } }))).toEqual([]);
  });

  it('each rule refuses for its engines only, at the field it names', () => {
    const cases: { extra: Record<string, unknown>; engines: CompileTarget[]; path: string; words: RegExp }[] = [
      {
        extra: { filter: { type: 'kinetic', receptor: 'AMPA' }, output: { type: 'conductance', E: 60 } },
        engines: ['meso', 'macro', 'meso-gpu'],
        path: 'projections[0].filter',
        words: /kinetic receptors/,
      },
      {
        extra: { heterogeneity: { weight: { distribution: 'normal', sd: 0.01 } } },
        engines: ['meso', 'macro', 'meso-gpu'],
        path: 'projections[0].heterogeneity',
        words: /per-synapse heterogeneity/,
      },
      {
        extra: { filter: { type: 'delta' }, output: { type: 'conductance', E: 60 } },
        engines: ['meso', 'macro', 'meso-gpu'],
        path: 'projections[0].output',
        words: /delta conductance pulses/,
      },
      {
        extra: { storage: 'procedural', connectivity: { type: 'fixed-indegree', C: 5 } },
        engines: ['micro-gpu'],
        path: 'projections[0].connectivity',
        words: /fixed in-degree has no such form/,
      },
      {
        extra: { storage: 'procedural', heterogeneity: { weight: { distribution: 'normal', sd: 0.01 } } },
        engines: ['micro-gpu', 'meso', 'macro', 'meso-gpu'],
        path: 'projections[0].heterogeneity',
        words: /keeps no per-synapse parameters|per-synapse heterogeneity/,
      },
      {
        extra: { stp: { model: 'three-state', U: 0.5, tauIn: 0.003, tauRec: 0.5 } },
        engines: ['meso-gpu'],
        path: 'projections[0].stp',
        words: /three-state STP .*--level meso/,
      },
    ];
    for (const c of cases) {
      const s = withProjection(c.extra);
      expect(refusing(s), JSON.stringify(c.extra)).toEqual(c.engines);
      for (const e of c.engines) {
        const issues = unsupportedFeatures(e, s);
        expect(
          issues.map((q) => q.path),
          `${e} ${JSON.stringify(c.extra)}`,
        ).toContain(c.path);
        expect(issues.map((q) => q.message).join('; ')).toMatch(c.words);
        expect(issues[0].message).toMatch(/^projections\[0\] \("src->post"\): /);
      }
    }
  });

  it('refuses more adaptation kernels than the GPU layouts hold, for micro-gpu and meso-gpu only, meso-gpu naming --level meso', () => {
    const kernels = Array.from({ length: 5 }, (_, k) => ({ tau: 0.1 * (k + 1), J: 1 }));
    const s = withProjection({}, { post: { ...glif, adaptation: kernels } });
    expect(refusing(s)).toEqual(['micro-gpu', 'meso-gpu']);
    expect(unsupportedFeatures('micro-gpu', s)[0]).toEqual({
      path: 'populations.post.adaptation',
      message: 'population "post": 5 adaptation kernels; the GPU engine carries at most 4',
    });
    expect(unsupportedFeatures('meso-gpu', s)[0].message).toMatch(/at most 4; run it with --level meso, which models it$/);
    expect(() => assertSupported('meso-gpu', parseScenario(s))).toThrow(
      /^meso-gpu: this scenario uses what the meso-gpu engine does not model: .*Run it with --level meso\.$/,
    );
  });

  it('is what the engines throw, as EngineUnsupportedError naming the engine, the field and the way out', () => {
    const s = parseScenario(withProjection({ heterogeneity: { weight: { distribution: 'normal', sd: 0.01 } } }));
    let thrown: unknown;
    try {
      simulateMeso(s, { level: 'meso' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EngineUnsupportedError);
    const e = thrown as EngineUnsupportedError;
    expect(e.engine).toBe('meso');
    expect(e.path).toBe('projections[0].heterogeneity');
    expect(e.message).toMatch(
      /^meso: this scenario uses what the meso engine does not model: projections\[0\] \("src->post"\): per-synapse heterogeneity.*Run it with --level micro-cpu\.$/,
    );
    expect(() => compileNetwork(s, { engine: 'micro-cpu' })).not.toThrow();
    expect(simulateMicroCpu(s).trials).toBe(2);
  });
});

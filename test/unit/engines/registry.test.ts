/**
 * The engine registry (src/engines) is the one list of engines and variants: everything the CLI,
 * the app, the validation experiments and the benchmarks offer is in it, once, with a distinct
 * colour, and every variant's options are options its engine declares, with allowed values.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  APP_VARIANTS,
  BENCH_VARIANTS,
  ENGINE_IDS,
  ENGINES,
  VARIANT_IDS,
  VARIANTS,
  allOptions,
  engine,
  isAllowed,
  isEngineId,
  isVariantId,
  runEngine,
  runVariant,
  variant,
  variantCliArgs,
  type EngineId,
  type VariantId,
} from '../../../src/engines';
import type { Level } from '../../../src/model/recording';
import { parseScenario } from '../../../src/model';
import { AVAILABLE_LEVELS, run } from '../../../src/run';
import { runCommandFactory } from '../../../src/cli/commands/run';
import { LEVEL_CHOICES, LEVELS } from '../../../src/app/state/levels';
import { EXPERIMENTS } from '../../../src/validation/experiments';
import { V2_REPORT, V2_VARIANTS } from '../../../src/validation/v2';
import { V3_REPORT, V3_VARIANTS } from '../../../src/validation/v3';
import { V4_REPORT, V4_VARIANTS } from '../../../src/validation/v4';
import { V5_REPORT, V5_VARIANTS } from '../../../src/validation/v5';
import { V6_REPORT, V6_VARIANTS } from '../../../src/validation/v6';
import { benchCases, recurrent } from '../../../bench/cases';

const HEX = /^#[0-9a-fA-F]{6}$/;
const demo = () => JSON.parse(readFileSync('scenarios/demo.json', 'utf8'));
const short = (json: Record<string, Record<string, unknown>>, duration: number, trials = 1) =>
  parseScenario({ ...json, run: { ...json.run, duration, trials } });

describe('engine registry', () => {
  it('engines: micro-cpu, micro-gpu, meso, macro, meso-gpu, ids unique and equal to Recording.level', () => {
    expect(ENGINE_IDS).toEqual(['micro-cpu', 'micro-gpu', 'meso', 'macro', 'meso-gpu']);
    expect(new Set(ENGINE_IDS).size).toBe(ENGINES.length);
    const level: Level = ENGINE_IDS[0];
    const id: EngineId = level;
    expect(isEngineId(id)).toBe(true);
    expect(isEngineId('meso-gpu')).toBe(true);
    expect(isEngineId('macro-gpu')).toBe(false);
    for (const e of ENGINES) {
      expect(e.label.length, e.id).toBeGreaterThan(0);
      expect(e.description.length, e.id).toBeGreaterThan(0);
      expect(e.color, e.id).toMatch(HEX);
      expect(engine(e.id)).toBe(e);
      // An option's spec: a choice with its default among the values, or an integer with a default ≥ its minimum.
      for (const o of e.options) {
        expect(!!o.values !== !!o.integer, `${e.id} ${o.name}: a choice or an integer`).toBe(true);
        expect(isAllowed(o, o.default), `${e.id} ${o.name} default`).toBe(true);
      }
    }
    expect(engine('nonsense')).toBeUndefined();
  });

  it('capabilities as the engines are: micro-gpu needs a GPU and batches, micro-cpu threads, macro is deterministic, meso and macro run in a browser worker', () => {
    expect(engine('micro-gpu').capabilities).toMatchObject({ gpu: true, batches: true, stochastic: true });
    expect(engine('micro-cpu').capabilities).toMatchObject({ gpu: false, threads: true, stochastic: true });
    expect(engine('meso').capabilities).toMatchObject({ gpu: false, stochastic: true, browserWorker: true });
    expect(engine('macro').capabilities).toMatchObject({ gpu: false, stochastic: false, browserWorker: true });
    expect(engine('meso-gpu').capabilities).toMatchObject({ gpu: true, stochastic: true, batches: false, browserWorker: false });
  });

  it('an option shared by engines is one spec (one flag of mesostp run)', () => {
    for (const { spec, engines } of allOptions())
      for (const id of engines)
        expect(
          engine(id).options.find((o) => o.name === spec.name),
          `${id} ${spec.name}`,
        ).toEqual(spec);
    expect(allOptions().map((o) => o.spec.name)).toEqual(['threads', 'schedule', 'stp', 'moments', 'layout']);
  });

  it('variants: ids unique, colours unique valid hex, engines known, options declared by the engine with allowed values', () => {
    expect(new Set(VARIANT_IDS).size).toBe(VARIANTS.length);
    const colours = VARIANTS.map((v) => v.color.toLowerCase());
    expect(new Set(colours).size).toBe(VARIANTS.length);
    for (const v of VARIANTS) {
      expect(v.color, v.id).toMatch(HEX);
      expect(v.label.length, v.id).toBeGreaterThan(0);
      expect(v.short.length, v.id).toBeGreaterThan(0);
      expect(isEngineId(v.engine), `${v.id}: engine ${v.engine}`).toBe(true);
      expect(variant(v.id)).toBe(v);
      const e = engine(v.engine);
      for (const [name, value] of Object.entries(v.options)) {
        const spec = e.options.find((o) => o.name === name);
        expect(spec, `${v.id}: ${v.engine} declares ${name}`).toBeDefined();
        expect(isAllowed(spec!, value as string | number), `${v.id}: ${name} = ${value}`).toBe(true);
      }
    }
    // The union of what the CLI, the app, validation and bench named before the registry, and meso on all cores.
    expect([...VARIANT_IDS].sort()).toEqual([
      'macro',
      'meso-age',
      'meso-gpu',
      'meso-mf1',
      'meso-mf2',
      'meso-mf2-all',
      'micro-cpu',
      'micro-cpu-all',
      'micro-gpu',
    ]);
    expect(variant('meso-mf1').dashed).toBe(true);
    expect(isVariantId('meso-mf3')).toBe(false);
  });

  it('the CLI: run --level takes exactly the engine ids; its help names every engine, option, value and variant', () => {
    expect(AVAILABLE_LEVELS).toEqual(ENGINE_IDS);
    const help = runCommandFactory().help;
    const levels = /--level L\s+engine: ([^(]+) \(default (\S+)\)/.exec(help);
    expect(levels, help).not.toBeNull();
    expect(levels![1].split(', ')).toEqual([...ENGINE_IDS]);
    expect(isEngineId(levels![2])).toBe(true);
    for (const e of ENGINES) expect(help).toContain(e.description);
    for (const { spec, engines } of allOptions()) {
      const line = help.split('\n').find((l) => l.trimStart().startsWith(`--${spec.name} `));
      expect(line, spec.name).toBeDefined();
      expect(line).toContain(`${engines.join(', ')}:`);
      for (const value of spec.values ?? []) expect(line).toContain(value);
      expect(line).toContain(`(default ${spec.default})`);
    }
    for (const v of VARIANTS) expect(help).toMatch(new RegExp(`^  ${v.id} +${variantCliArgs(v.id).join(' ')}$`, 'm'));
  });

  it('variantCliArgs: --level and every option of the variant, "auto" resolved on request', () => {
    expect(variantCliArgs('micro-gpu')).toEqual(['--level', 'micro-gpu']);
    expect(variantCliArgs('micro-cpu')).toEqual(['--level', 'micro-cpu', '--threads', '1']);
    expect(variantCliArgs('micro-cpu-all')).toEqual(['--level', 'micro-cpu', '--threads', 'auto']);
    expect(variantCliArgs('micro-cpu-all', () => 6)).toEqual(['--level', 'micro-cpu', '--threads', '6']);
    expect(variantCliArgs('meso-mf1')).toEqual(['--level', 'meso', '--stp', 'mf1']);
    expect(variantCliArgs('macro')).toEqual(['--level', 'macro', '--stp', 'mf2']);
  });

  it('the app: its five choices are registry variants, with the registry’s labels and colours', () => {
    expect(LEVEL_CHOICES).toEqual(['micro-gpu', 'meso-mf1', 'meso-mf2', 'meso-age', 'macro']);
    expect(APP_VARIANTS).toEqual(LEVEL_CHOICES);
    for (const c of LEVEL_CHOICES) {
      expect(isVariantId(c), c).toBe(true);
      expect(LEVELS[c]).toBe(variant(c));
      const caps = engine(variant(c).engine).capabilities;
      expect(caps.gpu || caps.browserWorker, `${c} runs in a browser`).toBe(true);
    }
  });

  it('validation: every variant V2–V6 run is in the registry, and their report columns carry its short labels', () => {
    const lists: [string, readonly VariantId[]][] = [
      ['v2', V2_VARIANTS],
      ['v3', V3_VARIANTS],
      ['v4', V4_VARIANTS],
      ['v5', V5_VARIANTS],
      ['v6', V6_VARIANTS],
    ];
    for (const [name, list] of lists) {
      expect(list.length, name).toBeGreaterThan(1);
      expect(list[0], `${name}: micro-gpu is the reference`).toBe('micro-gpu');
      for (const id of list) expect(isVariantId(id), `${name}: ${id}`).toBe(true);
      expect(EXPERIMENTS.find((e) => e.name === name)!.variants).toEqual(list);
    }
    expect(V2_VARIANTS).toEqual(['micro-gpu', 'micro-cpu', 'meso-mf2', 'meso-mf1']);
    const shorts = new Set(VARIANTS.map((v) => v.short));
    for (const spec of [V2_REPORT, V3_REPORT, V4_REPORT, V5_REPORT, V6_REPORT])
      for (const c of spec.columns) expect(shorts.has(c.label), `${spec.experiment} ${c.label}`).toBe(true);
    expect(V2_REPORT.columns.map((c) => c.label)).toEqual(['micro-cpu', 'MF2', 'MF1']);
  });

  it('bench: every engine of every case is a registry variant marked for the benchmarks', () => {
    expect(BENCH_VARIANTS).toEqual(['micro-gpu', 'micro-cpu', 'micro-cpu-all', 'meso-mf2', 'meso-age', 'meso-mf2-all', 'meso-gpu', 'macro']);
    for (const size of ['smoke', 'quick', 'full'] as const) {
      for (const c of benchCases(size))
        for (const e of c.engines) expect((BENCH_VARIANTS as readonly string[]).includes(e), `${size} ${c.workload} ${e}`).toBe(true);
    }
  });

  it('run() rejects an unknown level, listing the registry’s engines', async () => {
    await expect(run(demo(), { level: 'nonsense' as Level })).rejects.toThrow(
      `level "nonsense" is not in this version of mesostp yet; available: ${ENGINE_IDS.join(', ')}`,
    );
  });

  it('each engine’s unsupported() returns an array; meso and macro refuse per-synapse heterogeneity', () => {
    const plain = parseScenario(demo());
    const perSynapse = parseScenario(recurrent(200, 0.01, 'per-synapse STP'));
    for (const e of ENGINES) {
      expect(Array.isArray(e.unsupported(plain)), e.id).toBe(true);
      expect(Array.isArray(e.unsupported(perSynapse)), e.id).toBe(true);
    }
    expect(engine('meso').unsupported(plain)).toEqual([]);
    for (const id of ['meso', 'macro'] as const)
      expect(
        engine(id)
          .unsupported(perSynapse)
          .map((q) => q.message)
          .join('; '),
      ).toMatch(/heterogeneity/);
  });

  it('runVariant and runEngine run through the registry; option values are checked', async () => {
    const s = short(demo(), 0.05, 2);
    const mf1 = await runVariant('meso-mf1', s);
    expect(mf1.level).toBe('meso');
    expect(mf1.engine.stpMeanField).toBe('mf1');
    const cpu = await runVariant('micro-cpu', s);
    expect(cpu.level).toBe('micro-cpu');
    expect(cpu.trials).toBe(2);
    const viaRun = await run(s, { level: 'macro', stp: 'mf1', moments: 'realised' });
    expect(viaRun.level).toBe('macro');
    expect(viaRun.engine.stpMeanField).toBe('mf1');
    await expect(runEngine('meso', s, { stp: 'mf3' as never })).rejects.toThrow(/meso: stp "mf3" is not allowed; choose mf1, mf2 or age/);
    await expect(runEngine('macro', s, { threads: 2 })).rejects.toThrow(/macro takes no option "threads"/);
  });
});

/** Where the app runs a meso level: the decision, the setting's URL parameter, what meso-gpu refuses (no DOM, no GPU). */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { LEVEL_CHOICES } from '../../../src/app/state/levels';
import { isMesoChoice, type MesoPlacementInput, type MesoRunsOn, mesoGpuRefusals, mesoRunsOnFromQuery, placeMeso } from '../../../src/app/state/mesoPlacement';
import { parseScenario } from '../../../src/model';

const preset = (name: string) => JSON.parse(readFileSync(new URL(`../../../scenarios/${name}.json`, import.meta.url), 'utf8'));
const hardware: Omit<MesoPlacementInput, 'setting'> = { hasDevice: true, software: false, unsupported: [] };

describe('where a meso level runs (placeMeso)', () => {
  it('auto: WebGPU on a hardware adapter, the worker on a software one or without a device', () => {
    expect(placeMeso({ setting: 'auto', ...hardware })).toMatchObject({ where: 'gpu', fellBack: false });
    const software = placeMeso({ setting: 'auto', ...hardware, software: true });
    expect(software).toMatchObject({ where: 'worker', fellBack: false });
    expect(software.reason).toMatch(/software/);
    const none = placeMeso({ setting: 'auto', ...hardware, hasDevice: false, software: false });
    expect(none).toMatchObject({ where: 'worker', fellBack: false });
    expect(none.reason).toMatch(/no WebGPU device/);
  });

  it('auto and gpu: a scenario meso-gpu does not model goes to the worker, naming why', () => {
    for (const setting of ['auto', 'gpu'] as const) {
      const p = placeMeso({ setting, ...hardware, unsupported: ['three-state STP', 'more adaptation kernels'] });
      expect(p.where).toBe('worker');
      expect(p.reason).toContain('three-state STP; more adaptation kernels');
      expect(p.fellBack).toBe(setting === 'gpu');
    }
  });

  it('gpu: WebGPU even on a software adapter; without a device the worker, said to be a fallback', () => {
    expect(placeMeso({ setting: 'gpu', ...hardware, software: true })).toMatchObject({ where: 'gpu', fellBack: false });
    const none = placeMeso({ setting: 'gpu', hasDevice: false, software: false, unsupported: [] });
    expect(none).toMatchObject({ where: 'worker', fellBack: true });
    expect(none.reason).toMatch(/no WebGPU device/);
  });

  it('worker: the worker whatever the device, never a fallback', () => {
    for (const hasDevice of [true, false])
      for (const software of [true, false])
        for (const unsupported of [[], ['x']])
          expect(placeMeso({ setting: 'worker', hasDevice, software, unsupported })).toMatchObject({ where: 'worker', fellBack: false });
  });

  it('a fallback happens exactly when the setting asks for WebGPU and the run goes to the worker', () => {
    for (const setting of ['auto', 'gpu', 'worker'] as const)
      for (const hasDevice of [true, false])
        for (const software of [true, false])
          for (const unsupported of [[], ['x']]) {
            const p = placeMeso({ setting, hasDevice, software, unsupported });
            expect(p.fellBack).toBe(setting === 'gpu' && p.where === 'worker');
            if (p.where === 'gpu') expect(hasDevice && unsupported.length === 0).toBe(true);
          }
  });
});

describe('the setting', () => {
  it('comes from ?meso=, auto when absent or not a setting', () => {
    const cases: [string, MesoRunsOn][] = [
      ['?meso=gpu', 'gpu'],
      ['?meso=worker', 'worker'],
      ['?meso=auto', 'auto'],
      ['?x=1&meso=gpu', 'gpu'],
      ['', 'auto'],
      ['?meso=GPU', 'auto'],
      ['?meso=cuda', 'auto'],
    ];
    for (const [search, setting] of cases) expect(mesoRunsOnFromQuery(search), search).toBe(setting);
  });

  it('places the CPU meso engine’s levels only: micro runs on WebGPU and macro in the worker', () => {
    expect(LEVEL_CHOICES.filter(isMesoChoice)).toEqual(['meso-mf1', 'meso-mf2', 'meso-age']);
  });
});

describe('what meso-gpu refuses (mesoGpuRefusals)', () => {
  it('nothing for the presets it models', () => {
    for (const name of ['v2-feedforward-depression', 'v3-up-down'])
      for (const choice of ['meso-mf1', 'meso-mf2', 'meso-age'] as const)
        expect(mesoGpuRefusals(choice, parseScenario(preset(name))), `${name} ${choice}`).toEqual([]);
  });

  it('three-state STP, with the registry’s words', () => {
    const json = preset('v2-feedforward-depression');
    json.projections[0].stp = { model: 'three-state', U: 0.5, tauIn: 0.003, tauRec: 0.8 };
    const refusals = mesoGpuRefusals('meso-mf2', parseScenario(json));
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.join(' ')).toMatch(/three-state/);
  });

  it('with --stp age only: more age-resolved tracks from one population than the kernel holds', () => {
    const json = preset('v3-up-down');
    const pop = 'E';
    const depressing = { model: 'depression', U: 0.2, tauD: 0.2 };
    json.projections = [0, 1, 2].map((k) => ({
      name: `extra${k}`,
      from: pop,
      to: pop,
      connectivity: { type: 'all-to-all' },
      weight: 0.01,
      delay: json.run.dt,
      filter: { type: 'exponential', tau: 0.01 },
      stp: depressing,
    }));
    const scenario = parseScenario(json);
    expect(mesoGpuRefusals('meso-mf2', scenario)).toEqual([]);
    expect(mesoGpuRefusals('meso-age', scenario).join(' ')).toMatch(/--stp age .* at most 2/);
  });
});

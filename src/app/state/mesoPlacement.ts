/**
 * Where the app runs a meso level (the stochastic population equations: meso-mf1, meso-mf2,
 * meso-age): on the page's WebGPU device with the meso-gpu engine (docs/meso-gpu.md), or on the
 * CPU meso engine in a worker. The two are statistically equal; what differs is the time. On a
 * hardware GPU meso-gpu runs thousands of trials at once; on a software adapter (llvmpipe,
 * SwiftShader: the GPU emulated on the CPU) it is slower than the worker on the same cores, 3× on
 * llvmpipe and some 50× on Chromium's SwiftShader (docs/app.md, "Where meso runs"), so "auto"
 * takes the GPU only on hardware. A user can force either path.
 * macro stays in the worker whatever the setting: meso-gpu's N → ∞ limit is a check, not an engine.
 */
import { engine } from '../../engines';
import { checkTracks } from '../../meso/gpu/plan';
import { compileMesoNetwork } from '../../meso/network';
import { STP_MEAN_FIELD_DEFAULT } from '../../meso/stpMeanField';
import type { Scenario } from '../../model/scenario';
import { LEVELS, type LevelChoice } from './levels';

/** The user's setting: "meso runs on". */
export type MesoRunsOn = 'auto' | 'gpu' | 'worker';
export const MESO_RUNS_ON: readonly { value: MesoRunsOn; label: string }[] = [
  { value: 'auto', label: 'auto (WebGPU on a hardware GPU, else a worker)' },
  { value: 'gpu', label: 'WebGPU' },
  { value: 'worker', label: 'a worker (CPU)' },
];
/** The URL query parameter that sets it (`?meso=gpu`), so that a link or a test can force a path. */
export const MESO_RUNS_ON_PARAM = 'meso';

/** The setting a URL query gives, or auto (no parameter, or a value that is not a setting). */
export function mesoRunsOnFromQuery(search: string): MesoRunsOn {
  const value = new URLSearchParams(search).get(MESO_RUNS_ON_PARAM);
  return MESO_RUNS_ON.find((o) => o.value === value)?.value ?? 'auto';
}

/** The levels this setting places: those of the CPU meso engine, which meso-gpu can stand in for. */
export function isMesoChoice(choice: LevelChoice): boolean {
  return LEVELS[choice].engine === 'meso';
}

/**
 * What meso-gpu does not model in the scenario for this level, in words (empty: it runs it): the
 * registry's refusals (src/compile/support.ts), and with --stp age the age-resolved tracks its
 * kernel cannot hold, which the engine refuses only once it plans the run.
 */
export function mesoGpuRefusals(choice: LevelChoice, scenario: Scenario): string[] {
  const issues = engine('meso-gpu').unsupported(scenario);
  if (issues.length > 0) return issues.map((i) => i.message);
  try {
    checkTracks(LEVELS[choice].options.stp ?? STP_MEAN_FIELD_DEFAULT, compileMesoNetwork(scenario, 'meso-gpu'));
  } catch (error) {
    // Whatever stops meso-gpu from compiling it sends the run to the worker, whose engine runs it or says why not.
    return [error instanceof Error ? error.message : String(error)];
  }
  return [];
}

export interface MesoPlacementInput {
  setting: MesoRunsOn;
  /** Whether the page has a WebGPU device. */
  hasDevice: boolean;
  /** Whether its adapter is a software one, on the CPU (AdapterSummary.software). */
  software: boolean;
  /** What meso-gpu does not model in the scenario, in words (empty: it runs it). */
  unsupported: readonly string[];
}

export interface MesoPlacement {
  where: 'gpu' | 'worker';
  /** Why, in words for the page. */
  reason: string;
  /** The setting asked for WebGPU and the run went to the worker. */
  fellBack: boolean;
}

export function placeMeso({ setting, hasDevice, software, unsupported }: MesoPlacementInput): MesoPlacement {
  if (setting === 'worker') return { where: 'worker', reason: 'set to run in a worker', fellBack: false };
  const fellBack = setting === 'gpu';
  if (!hasDevice) return { where: 'worker', reason: 'this page has no WebGPU device', fellBack };
  if (unsupported.length > 0) return { where: 'worker', reason: `meso on WebGPU does not model this scenario: ${unsupported.join('; ')}`, fellBack };
  if (setting === 'gpu') return { where: 'gpu', reason: 'set to run on WebGPU', fellBack: false };
  if (software)
    return {
      where: 'worker',
      reason: 'the WebGPU adapter is a software one (on the CPU), where meso runs faster in a worker',
      fellBack: false,
    };
  return { where: 'gpu', reason: 'the WebGPU adapter is a hardware GPU', fellBack: false };
}

/** "on WebGPU" or "in a worker": how the page names where a level ran. */
export function placeText(where: MesoPlacement['where']): string {
  return where === 'gpu' ? 'on WebGPU' : 'in a worker';
}

/** The app's saved runs without DOM or storage (src/app/state/savedRuns.ts): the CLI's manifest and block layout, the storage key, the notice. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  adapterNote,
  appRunManifest,
  choiceOf,
  manifestOptions,
  runKey,
  type SavedRunInfo,
  savedRunText,
  savesBlocks,
  storageErrorText,
  tellingError,
  whyBlocked,
} from '../../../src/app/state/savedRuns';
import { blockRanges, scenarioHash } from '../../../src/io/checkpoint';
import { parseScenario } from '../../../src/model';
import { version } from '../../../src/version';

const v2 = (o: { trials?: number; seed?: number } = {}) => {
  const json = JSON.parse(readFileSync(new URL('../../../scenarios/v2-feedforward-depression.json', import.meta.url), 'utf8'));
  json.run.trials = o.trials ?? 768;
  if (o.seed !== undefined) json.run.seed = o.seed;
  return parseScenario(json);
};

const info = (o: Partial<SavedRunInfo> = {}): SavedRunInfo => ({
  key: 'run-x',
  scenario: 'v2-feedforward-depression',
  choice: 'micro-gpu',
  trials: 768,
  seed: 1,
  blocks: 3,
  saved: 1,
  savedAt: '2026-01-02T03:04:05.000Z',
  adapter: 'google swiftshader',
  version,
  earlierSession: true,
  blocked: null,
  matchesForm: true,
  ...o,
});

describe('saved runs', () => {
  it('a micro level’s manifest is the one `mesostp run --out` writes: the CLI’s layout and options', () => {
    const scenario = v2();
    const m = appRunManifest(scenario, 'micro-gpu');
    expect(m).toEqual({
      format: 'mesostp-blocks/1',
      version,
      scenarioHash: scenarioHash(scenario),
      scenario: 'v2-feedforward-depression',
      seed: scenario.run.seed,
      level: 'micro-gpu',
      options: { schedule: 'auto' },
      trials: 768,
      blockTrials: 256,
      blocks: 3,
      shard: null,
    });
    expect(blockRanges(m.trials, m.blockTrials)).toEqual([
      [0, 256],
      [256, 512],
      [512, 768],
    ]);
    expect(appRunManifest(v2({ trials: 100 }), 'micro-gpu')).toMatchObject({ blockTrials: 100, blocks: 1 });
    expect(savesBlocks('micro-gpu')).toBe(true);
    expect(savesBlocks('meso-mf2')).toBe(false);
    expect(manifestOptions('meso-mf1')).toEqual({ moments: expect.anything(), stp: 'mf1', threads: 1 });
    expect(choiceOf(m)).toBe('micro-gpu');
    expect(choiceOf({ ...m, options: { schedule: 'fused' } })).toBeNull();
  });

  it('the key names the run: the same for the same scenario, another for another seed, trial count, version or options', () => {
    const m = appRunManifest(v2(), 'micro-gpu');
    const key = runKey(m);
    expect(key).toMatch(/^run-[0-9a-f]{32}$/);
    expect(runKey(appRunManifest(v2(), 'micro-gpu'))).toBe(key);
    expect(runKey({ ...m, shard: { index: 1, count: 2 } })).toBe(key);
    for (const other of [
      appRunManifest(v2({ seed: 2 }), 'micro-gpu'),
      appRunManifest(v2({ trials: 769 }), 'micro-gpu'),
      { ...m, version: '0.0.0' },
      { ...m, options: { schedule: 'general' } },
    ])
      expect(runKey(other)).not.toBe(key);
  });

  it('a run saved by another version, another tab or an unknown level cannot be resumed, and says why', () => {
    const m = appRunManifest(v2(), 'micro-gpu');
    expect(whyBlocked(m, 'micro-gpu', false)).toBeNull();
    expect(whyBlocked({ ...m, version: '0.0.1' }, 'micro-gpu', false)).toMatch(/saved by mesostp 0\.0\.1/);
    expect(whyBlocked(m, 'micro-gpu', true)).toMatch(/another tab/);
    expect(whyBlocked(m, null, false)).toMatch(/not one the app runs/);
  });

  it('the notice says how many blocks are saved, from when, and what Resume and Discard do', () => {
    expect(savedRunText(info(), () => 'then')).toBe(
      '1 of 3 blocks of this run are saved from an earlier session (micro (WebGPU), 768 trials, seed 1 on google swiftshader, last saved then). Resume (or Run) computes only the missing blocks; Discard deletes the saved ones.',
    );
    expect(savedRunText(info({ matchesForm: false, earlierSession: false }))).toMatch(
      /^1 of 3 blocks of a run of “v2-feedforward-depression” are saved from the cancelled run .*Resume loads its scenario/,
    );
    expect(savedRunText(info({ blocked: 'another tab of this app is running it now' }))).toMatch(/It cannot be resumed: another tab/);
    expect(adapterNote(info(), 'google swiftshader')).toBeNull();
    expect(adapterNote(info(), 'nvidia')).toMatch(/ran on google swiftshader, this page's adapter is nvidia/);
  });

  it('a storage failure is reported with its name, and a full quota with what to do', () => {
    const quota = new DOMException('The operation failed because it would cause the application to exceed its storage quota.', 'QuotaExceededError');
    const pipe = new DOMException('Failed to write data to data pipe', 'AbortError');
    expect(storageErrorText(quota, 'Block 2', { blocks: 1 })).toMatch(
      /^Block 2 could not be saved in the browser's storage \(QuotaExceededError: .*storage this site may use is full.*compute this block again\.$/,
    );
    expect(storageErrorText(new Error('disk gone'), 'Blocks 0–1', { blocks: 2 })).toBe(
      "Blocks 0–1 could not be saved in the browser's storage (Error: disk gone). The run goes on, but a reload would have to compute these blocks again.",
    );
    expect(tellingError([quota, pipe])).toBe(quota);
    expect(tellingError([pipe, new Error('x')])).toEqual(new Error('x'));
  });
});

/**
 * Checkpointed runs (src/io/checkpoint.ts, src/io/blockedRun.ts): block files give back the
 * Recording bit for bit, the block layout and shards, manifest comparisons, and a run stopped
 * between blocks and continued merging to the bytes of an uninterrupted one.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEngine } from '../../../src/engines';
import { runBlocks } from '../../../src/io/blockedRun';
import {
  blockRanges,
  decodeBlock,
  defaultBlockTrials,
  encodeBlock,
  formatBlockList,
  type Manifest,
  manifestDifferences,
  outState,
  parseShard,
  readBlock,
  scenarioHash,
  shardBlocks,
  writeBlock,
  writeManifest,
} from '../../../src/io/checkpoint';
import { recordingArrays } from '../../../src/io/recordingArrays';
import type { Recording } from '../../../src/model/recording';
import { parseScenario } from '../../../src/model/validate';
import { rangeScenario } from '../../support/trialRange';

const root = mkdtempSync(join(tmpdir(), 'mesostp-checkpoint-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every typed array of a Recording as bytes, by path: equal maps mean equal arrays bit for bit. */
function arrayBytes(v: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (ArrayBuffer.isView(v)) out.set(`${path}:${v.constructor.name}`, Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex'));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) arrayBytes(x, `${path}.${k}`, out);
  return out;
}

/** Every scalar of a Recording, by path, with NaN, ±Infinity and −0 told apart. */
function scalars(v: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (ArrayBuffer.isView(v)) return out;
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) scalars(x, `${path}.${k}`, out);
  else out.set(path, Object.is(v, -0) ? '-0' : `${typeof v}:${String(v)}`);
  return out;
}

function manifestOf(scenario = rangeScenario, o: Partial<Manifest> = {}): Manifest {
  const blockTrials = o.blockTrials ?? 2;
  return {
    format: 'mesostp-blocks/1',
    version: '0.0.0-test',
    scenarioHash: scenarioHash(scenario),
    scenario: scenario.name,
    seed: scenario.run.seed,
    level: 'meso',
    options: { stp: 'mf2' },
    trials: scenario.run.trials,
    blockTrials,
    blocks: blockRanges(scenario.run.trials, blockTrials).length,
    shard: null,
    ...o,
  };
}

describe('block files', () => {
  it('give back every field of a Recording bit for bit, in both recording modes', async () => {
    const stats = parseScenario({ ...rangeScenario, record: { ...rangeScenario.record, trials: 'stats', keepTrials: 3 } });
    for (const [level, scenario] of [
      ['micro-cpu', rangeScenario],
      ['meso', stats],
    ] as const) {
      const rec = await runEngine(level, scenario, {}, { trialRange: [1, 5] });
      // Numbers JSON cannot hold, and a Float32Array, where an engine might put them.
      rec.engine.odd = [NaN, -0, Infinity, -Infinity, 0.1 + 0.2, undefined, null];
      rec.engine.single = Float32Array.of(1.5, NaN, -0);
      const back = decodeBlock(encodeBlock(rec));
      expect(arrayBytes(back)).toEqual(arrayBytes(rec));
      expect(scalars(back)).toEqual(scalars(rec));
      expect(back.stats.activity.E.average).toEqual(rec.stats.activity.E.average);
      expect(back).toEqual(rec);
      const dir = join(root, `roundtrip-${level}`);
      await writeBlock(dir, 3, rec);
      expect(readdirSync(join(dir, 'blocks'))).toEqual(['block-000003.bin']);
      expect(arrayBytes(await readBlock(dir, 3))).toEqual(arrayBytes(rec));
    }
  });

  it('refuse a damaged file and a cancelled block', async () => {
    const rec = await runEngine('macro', rangeScenario, {}, { trialRange: [0, 1] });
    const bytes = encodeBlock(rec);
    bytes[bytes.length - 3] ^= 1;
    expect(() => decodeBlock(bytes, 'b.bin')).toThrow(/b\.bin is damaged/);
    expect(() => decodeBlock(new Uint8Array(10))).toThrow(/not a mesostp block file/);
    await expect(writeBlock(join(root, 'cancelled'), 0, { ...rec, cancelled: true } as Recording)).rejects.toThrow(/never saved/);
  });
});

describe('block layout, shards and manifests', () => {
  it('blockRanges cover the trials in order; the default depends on the trial count only', () => {
    expect(blockRanges(7, 3)).toEqual([
      [0, 3],
      [3, 6],
      [6, 7],
    ]);
    expect(blockRanges(1, 5)).toEqual([[0, 1]]);
    expect(() => blockRanges(4, 0)).toThrow(/blockTrials/);
    expect([1, 16, 17, 1000].map((n) => defaultBlockTrials(n))).toEqual([1, 1, 2, 63]);
    // One trial per worker thread at least, 256 on micro-gpu at least, never more than the run.
    expect(defaultBlockTrials(20, 'micro-cpu', 4)).toBe(4);
    expect(defaultBlockTrials(1000, 'micro-gpu')).toBe(256);
    expect(defaultBlockTrials(100, 'micro-gpu')).toBe(100);
    expect(defaultBlockTrials(100000, 'micro-gpu')).toBe(6250);
  });

  it('shards split the blocks by index mod N and parse K/N', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('0/3')).toThrow(/1 ≤ K ≤ N/);
    expect(() => parseShard('4/3')).toThrow(/--shard 4\/3/);
    expect(shardBlocks(7, { index: 2, count: 3 })).toEqual([1, 4]);
    expect(shardBlocks(3, null)).toEqual([0, 1, 2]);
    const all = [1, 2, 3].flatMap((k) => shardBlocks(10, { index: k, count: 3 })).sort((a, b) => a - b);
    expect(all).toEqual(shardBlocks(10, null));
    expect(formatBlockList([1, 2, 3, 7, 9, 10])).toBe('1–3, 7, 9–10');
  });

  it('manifests differ by what they name; the seed is not part of the scenario hash; the shard is not compared', () => {
    const a = manifestOf();
    expect(manifestDifferences(a, manifestOf(rangeScenario, { shard: { index: 1, count: 2 } }))).toEqual([]);
    const seeded = parseScenario({ ...rangeScenario, run: { ...rangeScenario.run, seed: 9 } });
    expect(scenarioHash(seeded)).toBe(scenarioHash(rangeScenario));
    expect(manifestDifferences(a, manifestOf(seeded))).toEqual(['seed 5 there, 9 here']);
    const longer = parseScenario({ ...rangeScenario, run: { ...rangeScenario.run, duration: 0.2 } });
    expect(manifestDifferences(a, manifestOf(longer))[0]).toMatch(/^scenario "trial-range" \(sha256 [0-9a-f]{12}…\) there/);
    expect(manifestDifferences(a, { ...a, version: '9', options: { stp: 'mf1' }, blockTrials: 3 })).toEqual([
      'mesostp version "0.0.0-test" there, "9" here',
      'options {"stp":"mf2"} there, {"stp":"mf1"} here',
      'block trials 2 there, 3 here',
    ]);
    // Key order does not change the hash.
    const { record, run, ...rest } = rangeScenario;
    const reordered = parseScenario(JSON.parse(JSON.stringify({ record, run, ...rest })));
    expect(scenarioHash(reordered)).toBe(scenarioHash(rangeScenario));
  });

  it('outState tells an empty folder, a run and other files apart; a killed manifest write counts as empty', async () => {
    const dir = join(root, 'state');
    expect((await outState(dir)).kind).toBe('empty');
    await writeManifest(dir, manifestOf());
    expect(await outState(dir)).toEqual({ kind: 'run', manifest: manifestOf() });
    const other = join(root, 'other');
    await writeBlock(other, 0, await runEngine('macro', rangeScenario, {}, { trialRange: [0, 1] }));
    expect((await outState(other)).kind).toBe('other');
  });
});

describe('runBlocks', () => {
  it('a run stopped between blocks and continued gives the bytes of an uninterrupted one; shards give the same blocks', async () => {
    const stats = parseScenario({ ...rangeScenario, record: { ...rangeScenario.record, trials: 'stats', keepTrials: 3 } });
    for (const scenario of [rangeScenario, stats]) {
      const manifest = manifestOf(scenario);
      const whole = join(root, `whole-${scenario.record.trials}`);
      await writeManifest(whole, manifest);
      const a = await runBlocks({ dir: whole, manifest, scenario, level: 'meso', options: { stp: 'mf2' } });
      expect(a.complete).toBe(true);
      expect(a.ran).toEqual([0, 1, 2, 3]);

      const stopped = join(root, `stopped-${scenario.record.trials}`);
      await writeManifest(stopped, manifest);
      const controller = new AbortController();
      const first = await runBlocks({
        dir: stopped,
        manifest,
        scenario,
        level: 'meso',
        options: { stp: 'mf2' },
        signal: controller.signal,
        onBlock: (k) => k === 1 && controller.abort(),
      });
      expect(first.complete).toBe(false);
      expect(first.missing).toEqual([2, 3]);
      expect(first.recording?.cancelled).toBe(true);
      expect(first.recording?.trials).toBe(4);
      const second = await runBlocks({ dir: stopped, manifest, scenario, level: 'meso', options: { stp: 'mf2' } });
      expect(second.ran).toEqual([2, 3]);
      const x = recordingArrays(a.recording!);
      const y = recordingArrays(second.recording!);
      expect(Object.keys(y)).toEqual(Object.keys(x));
      for (const key of Object.keys(x)) expect(arrayBytes(y[key].data), key).toEqual(arrayBytes(x[key].data));
      expect(second.recording!.stats.activity.E.average).toEqual(a.recording!.stats.activity.E.average);

      const shard = join(root, `shard-${scenario.record.trials}`);
      const m2 = { ...manifest, shard: { index: 2, count: 2 } };
      await writeManifest(shard, m2);
      const s = await runBlocks({ dir: shard, manifest: m2, scenario, level: 'meso', options: { stp: 'mf2' } });
      expect(s).toMatchObject({ recording: null, complete: false, ran: [1, 3], missing: [0, 2] });
      expect(arrayBytes((await readBlock(shard, 3)).activity)).toEqual(arrayBytes((await readBlock(whole, 3)).activity));
    }
  });
});

/**
 * The file-system-free half of checkpointed runs (src/io/blockFormat.ts), which the browser app
 * bundles: its SHA-256 is node:crypto's, its block bytes and scenario hashes are the CLI's
 * (src/io/checkpoint.ts), synchronous and asynchronous alike.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runEngine } from '../../../src/engines';
import { mergeBlocks as cliMergeBlocks } from '../../../src/io/blockedRun';
import {
  blockFileName,
  blockIndexOf,
  canonicalJson,
  decodeBlock,
  decodeBlockAsync,
  encodeBlock,
  encodeBlockAsync,
  mergeBlocks,
  scenarioHash,
} from '../../../src/io/blockFormat';
import * as checkpoint from '../../../src/io/checkpoint';
import { sha256Hex } from '../../../src/io/sha256';
import { parseScenario } from '../../../src/model/validate';
import { mulberry32 } from '../../support/random';
import { rangeScenario } from '../../support/trialRange';

const nodeSha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

describe('sha256Hex', () => {
  it('is node:crypto’s SHA-256 for every tail length, strings as UTF-8, and large inputs', () => {
    const rand = mulberry32(7);
    for (let n = 0; n <= 200; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      expect(sha256Hex(bytes), `${n} bytes`).toBe(nodeSha256(bytes));
    }
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('ünïcode ✓ τD')).toBe(nodeSha256('ünïcode ✓ τD'));
    const big = Uint8Array.from({ length: 3_000_017 }, (_, i) => (i * 2654435761) >>> 24);
    expect(sha256Hex(big)).toBe(nodeSha256(big));
    expect(sha256Hex(big.subarray(5, 1_000_000))).toBe(nodeSha256(big.subarray(5, 1_000_000)));
  });
});

describe('block bytes without Node', () => {
  it('encode and decode as the CLI does, with sync and async hashes', async () => {
    const stats = parseScenario({ ...rangeScenario, record: { ...rangeScenario.record, trials: 'stats', keepTrials: 3 } });
    for (const [level, scenario] of [
      ['micro-cpu', rangeScenario],
      ['meso', stats],
    ] as const) {
      const rec = await runEngine(level, scenario, {}, { trialRange: [1, 5] });
      rec.engine.odd = [NaN, -0, Infinity, -Infinity, 0.1 + 0.2, undefined, null, 'ünïcode ✓'];
      rec.engine.single = Float32Array.of(1.5, NaN, -0, 3);
      const cli = checkpoint.encodeBlock(rec);
      expect(Buffer.from(encodeBlock(rec)).equals(Buffer.from(cli))).toBe(true);
      const subtle = async (b: Uint8Array) => Buffer.from(await crypto.subtle.digest('SHA-256', b as BufferSource)).toString('hex');
      expect(Buffer.from(await encodeBlockAsync(rec, subtle)).equals(Buffer.from(cli))).toBe(true);
      expect(decodeBlock(cli)).toEqual(checkpoint.decodeBlock(cli));
      expect(await decodeBlockAsync(cli, 'b', subtle)).toEqual(rec);
      // A block read from within a larger buffer (an offset view) decodes the same.
      const padded = new Uint8Array(cli.byteLength + 24);
      padded.set(cli, 8);
      expect(decodeBlock(padded.subarray(8, 8 + cli.byteLength))).toEqual(rec);
      // Damage anywhere is found: in the arrays (checksum), in the header (JSON), cut short.
      const bad = cli.slice();
      bad[bad.length - 1] ^= 1;
      expect(() => decodeBlock(bad, 'x')).toThrow(/x is damaged/);
      await expect(decodeBlockAsync(bad, 'x', subtle)).rejects.toThrow(/x is damaged/);
      expect(() => decodeBlock(cli.subarray(0, cli.length - 8))).toThrow(/damaged/);
      expect(() => decodeBlock(cli.subarray(0, 40))).toThrow();
      expect(() => decodeBlock(new Uint8Array(12))).toThrow(/not a mesostp block file/);
    }
  });

  it('scenario hashes, block names and the merge are the CLI’s', async () => {
    const { seed: _seed, ...run } = rangeScenario.run;
    expect(scenarioHash(rangeScenario)).toBe(nodeSha256(canonicalJson({ ...rangeScenario, run })));
    expect(checkpoint.scenarioHash).toBe(scenarioHash);
    expect(blockFileName(3)).toBe('block-000003.bin');
    expect(blockIndexOf('block-000003.bin')).toBe(3);
    expect(blockIndexOf('.block-000003.bin.tmp-123')).toBeNull();
    expect(cliMergeBlocks).toBe(mergeBlocks);
  });
});

/**
 * The memory estimate of a run's recording (src/model/recordingMemory.ts) and the refusal of a
 * run that cannot fit, on the V2 preset (13 series × 1500 bins per trial): 10⁶ trials fit in a
 * 24 GB machine with record.trials 'stats' and are refused otherwise, with the numbers and what
 * would fit.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkRecordingMemory, formatBytes, MAX_TYPED_ARRAY_LENGTH, recordingMemory, RecordingMemoryError } from '../../../src/model/recordingMemory';
import type { Scenario } from '../../../src/model/scenario';
import { parseScenario } from '../../../src/model/validate';
import { statsBatchTrials, STATS_BATCH_BYTES } from '../../../src/model/trialBatches';
import { recordingBytesPerTrial } from '../../../src/model/recordingMemory';

function v2(trials: number, record: 'all' | 'stats' = 'all', keepTrials = 0): Scenario {
  const s = JSON.parse(readFileSync('scenarios/v2-feedforward-depression.json', 'utf8'));
  s.run.trials = trials;
  s.record = { ...s.record, trials: record, keepTrials };
  return parseScenario(s);
}

const GB24 = { bytes: 0.75 * 24e9, what: "75 % of this machine's 24.0 GB" };

describe('recording memory', () => {
  it('counts 13 float64 series × 1500 bins per V2 trial, and twice that while parts merge', () => {
    const m = recordingMemory(v2(1000), { merges: false });
    expect(m).toMatchObject({ mode: 'all', trials: 1000, keptTrials: 1000, bins: 1500, series: 13, sampledSeries: 4 });
    expect(m.arrayBytes).toBe(8 * 1000 * 13 * 1500);
    expect(m.statsBytes).toBe(8 * 2 * 13 * 1500);
    expect(recordingMemory(v2(1000), { merges: true }).peakBytes).toBe(2 * m.arrayBytes + m.statsBytes);
    expect(m.largestArray).toBe(1000 * 2 * 1500);
    expect(recordingBytesPerTrial(v2(1))).toBe(8 * 13 * 1500);
  });

  it("V2 with 10⁶ trials and record.trials 'stats' fits in 24 GB, whatever the engine: under a megabyte, and CPU batches of at most 64 MiB", () => {
    const m = checkRecordingMemory(v2(1_000_000, 'stats'), { merges: true, limit: GB24 });
    expect(m.keptTrials).toBe(0);
    expect(m.peakBytes).toBeLessThan(1e6);
    // The CPU engines run it in batches whose arrays stay within STATS_BATCH_BYTES.
    const perBatch = statsBatchTrials(recordingBytesPerTrial(v2(1)));
    expect(perBatch * recordingBytesPerTrial(v2(1))).toBeLessThanOrEqual(STATS_BATCH_BYTES);
    expect(perBatch).toBeGreaterThan(100);
    // Keeping a few trials' arrays adds their bytes only.
    expect(recordingMemory(v2(1_000_000, 'stats', 16), { merges: true }).arrayBytes).toBe(8 * 16 * 13 * 1500);
  });

  it('refuses 10⁸ trials with the numbers and the alternatives that fit', () => {
    let message = '';
    try {
      checkRecordingMemory(v2(100_000_000), { merges: false, limit: GB24 });
    } catch (e) {
      expect(e).toBeInstanceOf(RecordingMemoryError);
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /^the recording needs about 15\.6 TB of host memory \(100000000 trial\(s\) × 13 series × 1500 bins in float64\); this run may use 18\.0 GB \(75 % of this machine's 24\.0 GB\)/,
    );
    expect(message).toMatch(/run with --record stats \(record\.trials: "stats"\), which keeps per-bin trial means and variances in about 936 kB/);
    expect(message).toMatch(/run at most 115384 trials \(--trials\)/);
    expect(message).toMatch(/record in bins at least 867× larger \(record\.binSize is 0\.001 s\)/);
  });

  it('refuses 2·10⁶ trials on micro-gpu (batches merged at the end), and a run whose one array would exceed a typed array', () => {
    expect(() => checkRecordingMemory(v2(2_000_000), { merges: true, limit: GB24 })).toThrow(
      /needs about 624 GB of host memory \(2000000 trial\(s\) × 13 series × 1500 bins in float64, twice while the parts merge\).*--record stats/,
    );
    // Even with memory to spare: [trials × 2 neurons × 1500 bins] beyond 2³² − 1 elements.
    const trials = Math.ceil((MAX_TYPED_ARRAY_LENGTH + 1) / 3000);
    expect(() => checkRecordingMemory(v2(trials), { merges: false, limit: { bytes: 1e18, what: 'test' } })).toThrow(
      /largest array would have \d+ elements .* more than a typed array holds \(4294967295\)/,
    );
    expect(() => checkRecordingMemory(v2(trials - 2), { merges: false, limit: { bytes: 1e18, what: 'test' } })).not.toThrow();
  });

  it('in stats mode, refuses too many kept trials and says so', () => {
    expect(() => checkRecordingMemory(v2(1_000_000, 'stats', 1_000_000), { merges: false, limit: GB24 })).toThrow(
      /keep fewer trials' arrays \(record\.keepTrials is 1000000\)/,
    );
  });

  it('formats bytes in decimal units', () => {
    expect([0, 999, 1000, 312_000, 15.6e12].map(formatBytes)).toEqual(['0 B', '999 B', '1.00 kB', '312 kB', '15.6 TB']);
  });
});

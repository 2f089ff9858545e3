/**
 * Comparing the folders that `mesostp run` (or merge, or a SLURM job) writes: the same output
 * means every .npy file byte for byte and summary.json equal but for the fields that time the run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** summary.json without the fields that time the run: the only ones two runs may differ in. */
export function untimedSummary(dir: string) {
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  delete s.wallSeconds;
  delete s.engine.setupSeconds;
  delete s.engine.peakHostBytes;
  return s;
}

/** Two run folders hold the same output: every .npy file byte for byte, summary.json but for timings. */
export function expectSameOutput(a: string, b: string) {
  const npy = (d: string) =>
    readdirSync(d)
      .filter((n) => n.endsWith('.npy'))
      .sort();
  expect(npy(b)).toEqual(npy(a));
  expect(npy(a).length).toBeGreaterThan(5);
  for (const f of npy(a)) expect(Buffer.compare(readFileSync(join(a, f)), readFileSync(join(b, f))), f).toBe(0);
  expect(untimedSummary(b)).toEqual(untimedSummary(a));
}

/**
 * Run folders (what `mesostp run --out` writes, or any simulator that writes the same files) read
 * back for the analyses that take a summary and a reader of its arrays (compareRuns,
 * compareAgreement).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadArray } from '../analysis/compareRuns';
import type { RunSummary } from '../analysis/summary';
import { decodeNpy } from './npy';

/** The summary.json of a run folder; throws naming the file when it is missing or not a run summary. */
export function readRunSummary(dir: string): RunSummary {
  const file = join(dir, 'summary.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file} (is ${dir} the folder of a \`mesostp run --out\`?): ${(error as Error).message}`);
  }
  const s = JSON.parse(text) as RunSummary;
  for (const key of ['populations', 'inputs', 'stp', 'stpSem', 'files', 'trials', 'record'] as const)
    if (s[key] === undefined) throw new Error(`${file} has no "${key}": not a summary written by \`mesostp run\``);
  return s;
}

/** The summaries of run folders and one reader of the arrays of any of them. */
export function readRunFolders(...dirs: string[]): { summaries: RunSummary[]; read: ReadArray } {
  const folder = new Map<RunSummary, string>();
  const summaries = dirs.map((dir) => {
    const s = readRunSummary(dir);
    folder.set(s, dir);
    return s;
  });
  const read: ReadArray = (s, key) => {
    const dir = folder.get(s);
    const file = s.files[key];
    return dir === undefined || file === undefined ? null : decodeNpy(readFileSync(join(dir, file))).data;
  };
  return { summaries, read };
}

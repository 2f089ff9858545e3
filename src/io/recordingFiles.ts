/** Writes a Recording as .npy arrays plus summary.json into one folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Recording } from '../model/recording';
import { summarize, type RunSummary } from '../analysis/summary';
import { writeFileAtomic } from './checkpoint';
import { encodeNpy } from './npy';
import { recordingArrays } from './recordingArrays';

/** Writes every array of `rec` as .npy and summary.json into `dir` (created if missing), as `mesostp run --out`; returns the summary. */
export async function writeRecording(rec: Recording, dir: string): Promise<RunSummary> {
  await mkdir(dir, { recursive: true });
  const files: Record<string, string> = {};
  for (const [key, a] of Object.entries(recordingArrays(rec))) {
    await writeFile(join(dir, a.file), encodeNpy(a.data, a.shape));
    files[key] = a.file;
  }
  const summary = summarize(rec, files);
  // Last, and whole or not at all: a folder with summary.json holds a complete output.
  await writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

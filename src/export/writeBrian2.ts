/** Writes `mesostp export brian2`'s script and its data folder (Node only; ./brian2.ts builds them). */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { encodeNpy } from '../io/npy';
import type { Scenario } from '../model/scenario';
import { exportBrian2, type Brian2ExportOptions } from './brian2';

/** The data folder of a script: "model.py" → "model_data" beside it. */
export function brian2DataDir(scriptPath: string): string {
  return `${basename(scriptPath).replace(/\.py$/, '')}_data`;
}

/** Writes the script at scriptPath and its arrays into the data folder beside it; returns both paths. */
export async function writeBrian2Export(
  scenario: Scenario,
  scriptPath: string,
  options: Omit<Brian2ExportOptions, 'dataDir'> = {},
): Promise<{ script: string; dataDir: string }> {
  const dataName = brian2DataDir(scriptPath);
  const { script, data } = exportBrian2(scenario, { ...options, dataDir: dataName });
  const dataDir = join(dirname(scriptPath), dataName);
  await mkdir(dataDir, { recursive: true });
  for (const [key, a] of Object.entries(data)) await writeFile(join(dataDir, `${key}.npy`), encodeNpy(a.data, a.shape));
  await writeFile(scriptPath, script);
  await chmod(scriptPath, 0o755);
  return { script: scriptPath, dataDir };
}

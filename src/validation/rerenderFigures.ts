/**
 * Draws a report's figures again from the numbers written beside them (figures/NAME.json, by
 * writeReport), without rerunning anything: `mesostp validate --report DIR`, after the plotting
 * code changed. DIR is one experiment's report or a folder of them (docs/validation).
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { figureFromJson } from '../analysis/figures/figureData';
import { renderFigureSvg } from '../analysis/figures/renderSvg';

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

/** The figures/ folders of a report folder and of the report folders directly inside it. */
async function figureFolders(dir: string): Promise<string[]> {
  const own = join(dir, 'figures');
  const found = (await isDirectory(own)) ? [own] : [];
  for (const entry of await readdir(dir, { withFileTypes: true }))
    if (entry.isDirectory() && (await isDirectory(join(dir, entry.name, 'figures')))) found.push(join(dir, entry.name, 'figures'));
  return found;
}

export interface Rerendered {
  /** The SVG files written. */
  drawn: string[];
  /** figures/*.svg without their numbers (reports written before the numbers were kept): left as they are. */
  withoutData: string[];
}

/** Writes figures/NAME.svg again from every figures/NAME.json under `dir`. */
export async function rerenderFigures(dir: string): Promise<Rerendered> {
  const drawn: string[] = [];
  const withoutData: string[] = [];
  for (const folder of await figureFolders(dir)) {
    const files = await readdir(folder);
    for (const svg of files.filter((f) => f.endsWith('.svg')).sort()) {
      const data = svg.replace(/\.svg$/, '.json');
      if (!files.includes(data)) {
        withoutData.push(join(folder, svg));
        continue;
      }
      const path = join(folder, data);
      let fig: ReturnType<typeof figureFromJson>;
      try {
        fig = figureFromJson(await readFile(path, 'utf8'));
      } catch (error) {
        throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
      await writeFile(join(folder, svg), await renderFigureSvg(fig));
      drawn.push(join(folder, svg));
    }
  }
  return { drawn, withoutData };
}

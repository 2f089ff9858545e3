/**
 * The app's saved runs, without DOM or storage: a micro level runs in the CLI's blocks of trials
 * (src/io/blockFormat.ts: the same layout, manifest and block bytes as `mesostp run --out`),
 * each completed block is kept in the browser's storage under a key made of the run's manifest
 * (mesostp version, scenario hash, seed, level, engine options, trials, block layout), and a
 * reloaded or crashed tab offers to resume (src/app/run/savedRuns.ts does the storing).
 */
import { engine, variant } from '../../engines';
import { canonicalJson, MANIFEST_FORMAT, type Manifest, runManifestOf } from '../../io/blockFormat';
import { sha256Hex } from '../../io/sha256';
import type { Draft } from '../../model/jsonPath';
import type { Scenario } from '../../model/scenario';
import { version } from '../../version';
import { LEVEL_CHOICES, type LevelChoice } from './levels';

/** What the app keeps beside the CLI's manifest (app.json): what it needs to resume in a fresh tab. */
export interface SavedRunApp {
  /** The scenario as the form held it (loaded back into the form by Resume). */
  draft: Draft;
  /** The level this run is, and every level chosen with it (Resume chooses them again). */
  choice: LevelChoice;
  levels: LevelChoice[];
  /** The WebGPU adapter the blocks ran on (describeAdapter), or null. */
  adapter: string | null;
  /** The page load that saved the last block (tells "an earlier session" from a run cancelled in this one). */
  session: string;
  createdAt: string;
  savedAt: string;
}

/** A saved run as the page lists it (and publishes it in window.__mesostp.saved.runs). */
export interface SavedRunInfo {
  /** The storage key (runKey of the manifest). */
  key: string;
  scenario: string;
  choice: LevelChoice | null;
  trials: number;
  seed: number;
  /** Blocks of the whole run, and how many are saved. */
  blocks: number;
  saved: number;
  savedAt: string | null;
  adapter: string | null;
  version: string;
  /** Saved by an earlier page load (a reload, a crash, another tab closed), not by a run cancelled in this one. */
  earlierSession: boolean;
  /** Why it cannot be resumed here (another mesostp version, another tab runs it), or null. */
  blocked: string | null;
  /** The scenario and levels in the form make this run (Run continues it too). */
  matchesForm: boolean;
}

/** The levels the app runs in blocks and saves: the micro engines (the population equations run in one piece, in a worker). */
export function savesBlocks(choice: LevelChoice): boolean {
  const id = variant(choice).engine;
  return id === 'micro-gpu' || id === 'micro-cpu';
}

/** The engine's options as the CLI's manifest holds them: every option of the engine, the variant's value or the default, sorted by name. */
export function manifestOptions(choice: LevelChoice): Record<string, string | number> {
  const v = variant(choice);
  const e = engine(v.engine);
  return Object.fromEntries(
    e.options
      .map((o) => [o.name, v.options[o.name] ?? o.default] as const)
      .filter((entry): entry is readonly [string, string | number] => entry[1] !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** The manifest of a level's run of a scenario: the CLI's (`mesostp run --out` with the default block layout). */
export function appRunManifest(scenario: Scenario, choice: LevelChoice): Manifest {
  return runManifestOf(scenario, variant(choice).engine, manifestOptions(choice), undefined, null);
}

/** The storage key of a run: "run-" and 32 hex digits of the sha256 of its canonical manifest. */
export function runKey(manifest: Manifest): string {
  return `run-${sha256Hex(canonicalJson({ ...manifest, shard: null })).slice(0, 32)}`;
}

/** The level choice a manifest's engine and options make (null when no app level does). */
export function choiceOf(manifest: Manifest): LevelChoice | null {
  return LEVEL_CHOICES.find((c) => variant(c).engine === manifest.level && canonicalJson(manifestOptions(c)) === canonicalJson(manifest.options)) ?? null;
}

/** Why a stored run cannot be resumed by this page (null: it can). */
export function whyBlocked(manifest: Manifest, choice: LevelChoice | null, busyElsewhere: boolean): string | null {
  if (manifest.format !== MANIFEST_FORMAT) return `its format is ${manifest.format}, this page reads ${MANIFEST_FORMAT}`;
  if (manifest.version !== version)
    return `it was saved by mesostp ${manifest.version} and this page is ${version}, whose numbers may differ: discard it and run again`;
  if (!choice) return `its level (${manifest.level} ${canonicalJson(manifest.options)}) is not one the app runs`;
  if (busyElsewhere) return 'another tab of this app is running it now';
  return null;
}

/** "1 block", "3 blocks". */
function blocksWord(n: number): string {
  return `${n} block${n === 1 ? '' : 's'}`;
}

/** The notice's sentence for a saved run. */
export function savedRunText(run: SavedRunInfo, when: (iso: string) => string = (iso) => iso): string {
  const from = run.earlierSession ? 'from an earlier session' : 'from the cancelled run';
  const label = run.choice ? variant(run.choice).label : `${run.scenario}`;
  const saved = run.savedAt ? `, last saved ${when(run.savedAt)}` : '';
  const adapter = run.adapter ? ` on ${run.adapter}` : '';
  const what = `${label}, ${run.trials} trials, seed ${run.seed}${adapter}${saved}`;
  const head = run.matchesForm
    ? `${run.saved} of ${blocksWord(run.blocks)} of this run are saved ${from} (${what}).`
    : `${run.saved} of ${blocksWord(run.blocks)} of a run of “${run.scenario}” are saved ${from} (${what}).`;
  if (run.blocked) return `${head} It cannot be resumed: ${run.blocked}.`;
  return run.matchesForm
    ? `${head} Resume (or Run) computes only the missing blocks; Discard deletes the saved ones.`
    : `${head} Resume loads its scenario into the form and computes only the missing blocks; Discard deletes the saved ones.`;
}

/** A note when the blocks ran on another adapter than the page's: the resumed run mixes two float32 adapters. */
export function adapterNote(run: SavedRunInfo, pageAdapter: string | null): string | null {
  if (!run.adapter || !pageAdapter || run.adapter === pageAdapter || run.blocked) return null;
  return `The saved blocks ran on ${run.adapter}, this page's adapter is ${pageAdapter}: each block is exact, but the resumed run is not bit for bit the run either adapter alone would give.`;
}

function isQuota(error: unknown): boolean {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  return name === 'QuotaExceededError' || /quota/i.test(error instanceof Error || error instanceof DOMException ? error.message : String(error));
}

/**
 * Of the errors of blocks that could not be saved, the one that says most: a full quota when any
 * said so (once the quota is full, Chromium reports later writes as often as "AbortError: Failed
 * to write data to data pipe"), else the latest.
 */
export function tellingError(errors: readonly unknown[]): unknown {
  return errors.find(isQuota) ?? errors[errors.length - 1];
}

/** How a storage failure reads: what could not be saved, the error's name and message, and what to do about a full quota. */
export function storageErrorText(error: unknown, what: string, o: { blocks?: number } = {}): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error || error instanceof DOMException ? error.message : String(error);
  const again = o.blocks === undefined ? '' : ` The run goes on, but a reload would have to compute ${o.blocks === 1 ? 'this block' : 'these blocks'} again.`;
  return `${what} could not be saved in the browser's storage (${name}: ${message})${
    isQuota(error) ? ': the storage this site may use is full; discard saved runs you no longer need, or free disk space' : ''
  }.${again}`;
}

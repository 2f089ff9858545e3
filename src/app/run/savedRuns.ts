/**
 * The app's saved runs on top of a BlockStore (./blockStore.ts): listing what an earlier session
 * left, opening a run's slot (its checked blocks, and saving new ones), discarding. A run being
 * computed is held under a Web Lock named after its key, so that two tabs never write or delete
 * one run at once: a second tab lists it as busy, and runs it without saving if asked to.
 *
 * Blocks are checked when a run resumes: the checksum (decodeBlock), and that the block holds
 * whole trials of its range; a block that fails is deleted and computed again.
 */
import { blockRanges, decodeBlockAsync, encodeBlockAsync, type Manifest, type Sha256Async } from '../../io/blockFormat';
import { sha256Hex } from '../../io/sha256';
import type { Draft } from '../../model/jsonPath';
import type { Recording } from '../../model/recording';
import { formatBytes } from '../../model/recordingMemory';
import type { Scenario } from '../../model/scenario';
import type { LevelChoice } from '../state/levels';
import { appRunManifest, choiceOf, runKey, type SavedRunApp, type SavedRunInfo, whyBlocked } from '../state/savedRuns';
import { type BlockStore, openBlockStore } from './blockStore';

/** SHA-256 by SubtleCrypto (native, off the page's thread) where the page has it, else in JavaScript: the same digests. */
const sha256: Sha256Async = async (bytes) => {
  if (globalThis.crypto?.subtle) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  return sha256Hex(bytes);
};

const LOCK_PREFIX = 'mesostp-run:';

/**
 * Holds the Web Lock of a run until the returned function is called (its promise settles once the
 * lock is free again); null when another tab holds it.
 */
function holdLock(key: string): Promise<(() => Promise<void>) | null> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return Promise.resolve(async () => {});
  return new Promise((resolve) => {
    let free: () => void = () => {};
    const held = locks
      .request(`${LOCK_PREFIX}${key}`, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(null);
          return undefined;
        }
        return new Promise<void>((release) => {
          free = release;
          resolve(() => {
            free();
            return held.then(
              () => {},
              () => {},
            );
          });
        });
      })
      .catch(() => resolve(async () => {}));
  });
}

/** The runs whose lock some tab holds. */
async function busyKeys(): Promise<Set<string>> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return new Set();
  try {
    const { held = [] } = await locks.query();
    return new Set(
      held
        .map((l) => l.name ?? '')
        .filter((n) => n.startsWith(LOCK_PREFIX))
        .map((n) => n.slice(LOCK_PREFIX.length)),
    );
  } catch {
    return new Set();
  }
}

/**
 * A failed write as a quota error when the site's storage is what ran out: Chromium reports a
 * file write beyond the quota as "AbortError: Failed to write data to data pipe" as often as
 * QuotaExceededError, so the quota is asked (navigator.storage.estimate) and the error named after it.
 */
async function explainWriteError(error: unknown, bytes: number): Promise<unknown> {
  if (error instanceof DOMException && error.name === 'QuotaExceededError') return error;
  try {
    const { quota, usage } = (await navigator.storage?.estimate?.()) ?? {};
    if (quota !== undefined && usage !== undefined && quota - usage < bytes) {
      const why = error instanceof Error || error instanceof DOMException ? `${error.name}: ${error.message}` : String(error);
      return new DOMException(
        `the block takes ${formatBytes(bytes)} and the site may use ${formatBytes(Math.max(0, quota - usage))} more of its ${formatBytes(quota)} (the write failed with ${why})`,
        'QuotaExceededError',
      );
    }
  } catch {
    // No estimate: the error as it came.
  }
  return error;
}

/** A run being computed: its checked saved blocks, and where new ones go. */
export interface RunSlot {
  key: string;
  manifest: Manifest;
  ranges: [number, number][];
  /** The saved blocks that passed the checks, by index. */
  saved: Map<number, Recording>;
  /** Saved blocks that failed the checks and were deleted (computed again). */
  dropped: number[];
  /** False when another tab runs the same run: nothing is saved then (the blocks are that tab's). */
  saving: boolean;
  /** Saves block k (throws why it could not: a full quota, …). */
  save(k: number, rec: Recording): Promise<void>;
  /** The run completed and its result is shown: deletes its blocks and lets go of it. */
  finish(): Promise<void>;
  /** Lets go of the run and keeps its blocks (cancelled, failed): it can be resumed. */
  release(): Promise<void>;
}

/** Why a block read back is not whole trials of its range, or null. */
function blockProblem(rec: Recording, range: [number, number], manifest: Manifest): string | null {
  const tr = rec.engine?.trialRange;
  if (rec.cancelled || rec.completedSteps !== rec.steps) return 'it did not complete';
  if (rec.level !== manifest.level) return `it is a ${rec.level} block`;
  if (rec.trials !== range[1] - range[0] || !Array.isArray(tr) || tr[0] !== range[0] || tr[1] !== range[1])
    return `it holds trials ${JSON.stringify(tr)}, not [${range[0]}, ${range[1]})`;
  return null;
}

export class SavedRuns {
  /** A random id of this page load: runs saved by another one are from "an earlier session". */
  readonly session = Math.random().toString(36).slice(2, 10);

  /** The runs this page holds the lock of (running now): not "busy in another tab". */
  private readonly own = new Set<string>();

  private constructor(private readonly store: BlockStore) {}

  /** The saved runs of this browser, or why there are none (no storage). */
  static async open(): Promise<SavedRuns> {
    return new SavedRuns(await openBlockStore());
  }

  get kind(): 'opfs' | 'indexeddb' {
    return this.store.kind;
  }

  /**
   * Every saved run with at least one block, newest first (matchesForm false: the page sets it).
   * What a crash left without a manifest, or without any block, is removed on the way.
   */
  async list(): Promise<SavedRunInfo[]> {
    const busy = await busyKeys();
    for (const key of this.own) busy.delete(key);
    const out: SavedRunInfo[] = [];
    for (const run of await this.store.runs()) {
      if (busy.has(run.key) && (!run.manifest || run.blocks.length === 0)) continue;
      if (!run.manifest || run.blocks.length === 0) {
        await this.store.deleteRun(run.key).catch(() => {});
        continue;
      }
      const m = run.manifest;
      const choice = choiceOf(m);
      out.push({
        key: run.key,
        scenario: m.scenario,
        choice,
        trials: m.trials,
        seed: m.seed,
        blocks: m.blocks,
        saved: run.blocks.filter((k) => k < m.blocks).length,
        savedAt: run.app?.savedAt ?? null,
        adapter: run.app?.adapter ?? null,
        version: m.version,
        earlierSession: run.app?.session !== this.session,
        blocked: run.app ? whyBlocked(m, choice, busy.has(run.key)) : 'its scenario was not saved with it',
        matchesForm: false,
      });
    }
    return out.sort((a, b) => (b.savedAt ?? '').localeCompare(a.savedAt ?? ''));
  }

  /** The scenario and levels a saved run was started with (what Resume loads into the form). */
  async appOf(key: string): Promise<SavedRunApp | null> {
    return (await this.store.run(key))?.app ?? null;
  }

  async discard(key: string): Promise<void> {
    const release = await holdLock(key);
    if (!release) throw new Error('another tab of this app is running it now');
    try {
      await this.store.deleteRun(key);
    } finally {
      await release();
    }
  }

  /**
   * Opens the slot of a level's run of a scenario: takes its lock, reads and checks its saved
   * blocks, and writes its manifest when it has none. Throws storage errors (the caller runs
   * without saving then, and says why).
   */
  async slot(o: { scenario: Scenario; draft: Draft; choice: LevelChoice; levels: LevelChoice[]; adapter: string | null }): Promise<RunSlot> {
    const manifest = appRunManifest(o.scenario, o.choice);
    const key = runKey(manifest);
    const ranges = blockRanges(manifest.trials, manifest.blockTrials);
    const saved = new Map<number, Recording>();
    const dropped: number[] = [];
    const release = await holdLock(key);
    if (!release) {
      return {
        key,
        manifest,
        ranges,
        saved,
        dropped,
        saving: false,
        save: async () => {},
        finish: async () => {},
        release: async () => {},
      };
    }
    this.own.add(key);
    const unlock = () => {
      this.own.delete(key);
      return release();
    };
    try {
      const now = () => new Date().toISOString();
      const stored = await this.store.run(key);
      const app: SavedRunApp = {
        draft: o.draft,
        choice: o.choice,
        levels: o.levels,
        adapter: o.adapter,
        session: this.session,
        createdAt: stored?.app?.createdAt ?? now(),
        savedAt: stored?.app?.savedAt ?? now(),
      };
      if (stored?.manifest && stored.manifest.version === manifest.version && runKey(stored.manifest) === key) {
        for (const k of stored.blocks) {
          if (k >= ranges.length) continue;
          try {
            const rec = await decodeBlockAsync(await this.store.readBlock(key, k), `block ${k}`, sha256);
            const problem = blockProblem(rec, ranges[k], manifest);
            if (problem) throw new Error(problem);
            saved.set(k, rec);
          } catch {
            dropped.push(k);
            await this.store.deleteBlock(key, k);
          }
        }
      } else if (stored) await this.store.deleteRun(key);
      await this.store.writeRun(key, manifest, app);
      let released: Promise<void> | null = null;
      const letGo = () => {
        released ??= unlock();
        return released;
      };
      return {
        key,
        manifest,
        ranges,
        saved,
        dropped,
        saving: true,
        save: async (k, rec) => {
          if (rec.cancelled || rec.completedSteps !== rec.steps) throw new Error(`block ${k} did not complete (a cancelled block is never saved)`);
          const bytes = await encodeBlockAsync(rec, sha256);
          try {
            await this.store.writeBlock(key, k, bytes);
          } catch (error) {
            throw await explainWriteError(error, bytes.byteLength);
          }
          app.savedAt = now();
          app.session = this.session;
          await this.store.writeApp(key, app);
        },
        finish: async () => {
          try {
            await this.store.deleteRun(key);
          } finally {
            await letGo();
          }
        },
        release: letGo,
      };
    } catch (error) {
      await unlock();
      throw error;
    }
  }
}

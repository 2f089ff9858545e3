/**
 * Where the app keeps the blocks of its runs: the Origin Private File System (one folder per
 * run, laid out like a `mesostp run --out` folder: manifest.json, app.json, blocks/block-<k>.bin),
 * or IndexedDB where the browser has no OPFS with writable files (Firefox's private windows, older
 * Safari). Both are private to the site and survive reloads, crashes and restarts, until the site's
 * data is cleared (or the browser evicts it under storage pressure).
 *
 * A file is written whole or not at all: to a temporary name, then moved to its own (OPFS; where
 * move() is missing, createWritable's own all-or-nothing commit on close), or in one transaction
 * (IndexedDB). Readers check every block's checksum anyway (decodeBlock) and drop a bad one.
 */
import { BLOCKS_DIR, blockFileName, blockIndexOf, MANIFEST_FILE, type Manifest } from '../../io/blockFormat';
import type { SavedRunApp } from '../state/savedRuns';

export const APP_FILE = 'app.json';
/** The OPFS folder (and IndexedDB database) that holds the saved runs. */
export const STORE_NAME = 'mesostp-runs';

export interface StoredRun {
  key: string;
  /** null when missing or unreadable (a run killed while it wrote them). */
  manifest: Manifest | null;
  app: SavedRunApp | null;
  /** The block indices stored, ascending (not yet checked). */
  blocks: number[];
}

export interface BlockStore {
  readonly kind: 'opfs' | 'indexeddb';
  /** Every stored run. */
  runs(): Promise<StoredRun[]>;
  run(key: string): Promise<StoredRun | null>;
  writeRun(key: string, manifest: Manifest, app: SavedRunApp): Promise<void>;
  writeApp(key: string, app: SavedRunApp): Promise<void>;
  readBlock(key: string, k: number): Promise<Uint8Array>;
  writeBlock(key: string, k: number, bytes: Uint8Array): Promise<void>;
  deleteBlock(key: string, k: number): Promise<void>;
  deleteRun(key: string): Promise<void>;
}

/** The store this browser offers: OPFS, else IndexedDB; throws why there is neither. */
export async function openBlockStore(): Promise<BlockStore> {
  const why: string[] = [];
  if (
    typeof navigator.storage?.getDirectory === 'function' &&
    typeof FileSystemFileHandle !== 'undefined' &&
    'createWritable' in FileSystemFileHandle.prototype
  ) {
    try {
      const root = await navigator.storage.getDirectory();
      return new OpfsStore(await root.getDirectoryHandle(STORE_NAME, { create: true }));
    } catch (error) {
      why.push(`the Origin Private File System refused (${describe(error)})`);
    }
  } else why.push('this browser has no Origin Private File System with writable files');
  if (typeof indexedDB !== 'undefined') {
    try {
      return new IdbStore(await openDatabase());
    } catch (error) {
      why.push(`IndexedDB refused (${describe(error)})`);
    }
  } else why.push('no IndexedDB');
  throw new Error(`runs cannot be saved: ${why.join('; ')}`);
}

function describe(error: unknown): string {
  return error instanceof Error || error instanceof DOMException ? `${error.name}: ${error.message}` : String(error);
}

const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

function parseJson<T>(bytes: Uint8Array | null): T | null {
  if (!bytes) return null;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch {
    return null;
  }
}

// ---- OPFS ----

/** What lib.dom does not declare yet: entries() (DOM.AsyncIterable) and move(). */
type Entries = { entries(): AsyncIterableIterator<[string, FileSystemHandle]> };
type Movable = { move?(name: string): Promise<void> };

const TEMPORARY = /^\..*\.tmp-[0-9a-z]+$/;

async function entries(dir: FileSystemDirectoryHandle): Promise<[string, FileSystemHandle][]> {
  const out: [string, FileSystemHandle][] = [];
  for await (const entry of (dir as unknown as Entries).entries()) out.push(entry);
  return out;
}

function notFound(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'NotFoundError' || error.name === 'TypeMismatchError');
}

async function readFile(dir: FileSystemDirectoryHandle, name: string): Promise<Uint8Array | null> {
  try {
    const file = await (await dir.getFileHandle(name)).getFile();
    return new Uint8Array(await file.arrayBuffer());
  } catch (error) {
    if (notFound(error)) return null;
    throw error;
  }
}

/** Writes `bytes` as `name` in `dir`: to a temporary file, then moved, so that a reader never sees part of it. */
async function writeFile(dir: FileSystemDirectoryHandle, name: string, bytes: Uint8Array): Promise<void> {
  const canMove = typeof (FileSystemFileHandle.prototype as Movable).move === 'function';
  const target = canMove ? `.${name}.tmp-${Math.random().toString(36).slice(2, 10)}` : name;
  const handle = await dir.getFileHandle(target, { create: true });
  const writable = await handle.createWritable();
  try {
    await writable.write(bytes as BufferSource);
    await writable.close();
  } catch (error) {
    await writable.abort().catch(() => {});
    if (canMove) await dir.removeEntry(target).catch(() => {});
    throw error;
  }
  if (!canMove) return;
  await dir.removeEntry(name).catch(() => {});
  try {
    await (handle as unknown as Required<Movable>).move(name);
  } catch (error) {
    await dir.removeEntry(target).catch(() => {});
    throw error;
  }
}

class OpfsStore implements BlockStore {
  readonly kind = 'opfs' as const;
  constructor(private readonly root: FileSystemDirectoryHandle) {}

  private async dir(key: string, create = false): Promise<FileSystemDirectoryHandle | null> {
    try {
      return await this.root.getDirectoryHandle(key, { create });
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
  }

  private async blocksDir(key: string, create = false): Promise<FileSystemDirectoryHandle | null> {
    const dir = await this.dir(key, create);
    if (!dir) return null;
    try {
      return await dir.getDirectoryHandle(BLOCKS_DIR, { create });
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
  }

  async runs(): Promise<StoredRun[]> {
    const out: StoredRun[] = [];
    for (const [name, handle] of await entries(this.root)) {
      if (handle.kind !== 'directory') continue;
      const run = await this.run(name);
      if (run) out.push(run);
    }
    return out;
  }

  async run(key: string): Promise<StoredRun | null> {
    const dir = await this.dir(key);
    if (!dir) return null;
    const blocks: number[] = [];
    const blocksDir = await this.blocksDir(key);
    if (blocksDir) {
      for (const [name] of await entries(blocksDir)) {
        const k = blockIndexOf(name);
        if (k !== null) blocks.push(k);
        // What a writer killed mid-write left.
        else if (TEMPORARY.test(name)) await blocksDir.removeEntry(name).catch(() => {});
      }
    }
    return {
      key,
      manifest: parseJson<Manifest>(await readFile(dir, MANIFEST_FILE)),
      app: parseJson<SavedRunApp>(await readFile(dir, APP_FILE)),
      blocks: blocks.sort((a, b) => a - b),
    };
  }

  async writeRun(key: string, manifest: Manifest, app: SavedRunApp): Promise<void> {
    const dir = (await this.dir(key, true))!;
    await this.blocksDir(key, true);
    await writeFile(dir, MANIFEST_FILE, json(manifest));
    await writeFile(dir, APP_FILE, json(app));
  }

  async writeApp(key: string, app: SavedRunApp): Promise<void> {
    const dir = await this.dir(key);
    if (dir) await writeFile(dir, APP_FILE, json(app));
  }

  async readBlock(key: string, k: number): Promise<Uint8Array> {
    const dir = await this.blocksDir(key);
    const bytes = dir ? await readFile(dir, blockFileName(k)) : null;
    if (!bytes) throw new Error(`block ${k} of ${key} is not stored`);
    return bytes;
  }

  async writeBlock(key: string, k: number, bytes: Uint8Array): Promise<void> {
    const dir = await this.blocksDir(key, true);
    await writeFile(dir!, blockFileName(k), bytes);
  }

  async deleteBlock(key: string, k: number): Promise<void> {
    const dir = await this.blocksDir(key);
    await dir?.removeEntry(blockFileName(k)).catch((error) => {
      if (!notFound(error)) throw error;
    });
  }

  async deleteRun(key: string): Promise<void> {
    await this.root.removeEntry(key, { recursive: true }).catch((error) => {
      if (!notFound(error)) throw error;
    });
  }
}

// ---- IndexedDB ----

const RUNS = 'runs';
const BLOCKS = 'blocks';

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(STORE_NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(RUNS)) db.createObjectStore(RUNS);
      if (!db.objectStoreNames.contains(BLOCKS)) db.createObjectStore(BLOCKS);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('the database is held open by an older version of this page in another tab'));
  });
}

/** Runs `body` in one transaction; resolves with its result once the transaction has committed (rejects with why it aborted: a full quota, …). */
function transact<T>(
  db: IDBDatabase,
  stores: string[],
  mode: IDBTransactionMode,
  body: (tx: IDBTransaction) => IDBRequest<T> | undefined,
): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(stores, mode);
    const request = body(tx);
    tx.oncomplete = () => resolve(request?.result);
    tx.onabort = () => reject(tx.error ?? request?.error ?? new Error('the IndexedDB transaction was aborted'));
    tx.onerror = () => {};
  });
}

/** Block k of a run: [key, k], so that a run's blocks are one key range. */
const blockKey = (key: string, k: number) => [key, k];
const runBlocks = (key: string) => IDBKeyRange.bound([key, 0], [key, Number.MAX_SAFE_INTEGER]);

class IdbStore implements BlockStore {
  readonly kind = 'indexeddb' as const;
  constructor(private readonly db: IDBDatabase) {}

  async runs(): Promise<StoredRun[]> {
    const keys = ((await transact(this.db, [RUNS], 'readonly', (tx) => tx.objectStore(RUNS).getAllKeys())) ?? []) as string[];
    const blockKeys = ((await transact(this.db, [BLOCKS], 'readonly', (tx) => tx.objectStore(BLOCKS).getAllKeys())) ?? []) as [string, number][];
    const all = new Set([...keys, ...blockKeys.map(([key]) => key)]);
    const out: StoredRun[] = [];
    for (const key of all) {
      const run = await this.run(key);
      if (run) out.push(run);
    }
    return out;
  }

  async run(key: string): Promise<StoredRun | null> {
    const record = (await transact(this.db, [RUNS], 'readonly', (tx) => tx.objectStore(RUNS).get(key))) as
      | { manifest: Manifest | null; app: SavedRunApp | null }
      | undefined;
    const blocks = ((await transact(this.db, [BLOCKS], 'readonly', (tx) => tx.objectStore(BLOCKS).getAllKeys(runBlocks(key)))) ?? []) as [string, number][];
    if (!record && blocks.length === 0) return null;
    return { key, manifest: record?.manifest ?? null, app: record?.app ?? null, blocks: blocks.map(([, k]) => k).sort((a, b) => a - b) };
  }

  async writeRun(key: string, manifest: Manifest, app: SavedRunApp): Promise<void> {
    await transact(this.db, [RUNS], 'readwrite', (tx) => tx.objectStore(RUNS).put({ manifest, app }, key));
  }

  async writeApp(key: string, app: SavedRunApp): Promise<void> {
    const run = await this.run(key);
    if (run?.manifest) await this.writeRun(key, run.manifest, app);
  }

  async readBlock(key: string, k: number): Promise<Uint8Array> {
    const value = await transact(this.db, [BLOCKS], 'readonly', (tx) => tx.objectStore(BLOCKS).get(blockKey(key, k)));
    if (!(value instanceof ArrayBuffer)) throw new Error(`block ${k} of ${key} is not stored`);
    return new Uint8Array(value);
  }

  async writeBlock(key: string, k: number, bytes: Uint8Array): Promise<void> {
    const copy = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
    await transact(this.db, [BLOCKS], 'readwrite', (tx) => tx.objectStore(BLOCKS).put(copy, blockKey(key, k)));
  }

  async deleteBlock(key: string, k: number): Promise<void> {
    await transact(this.db, [BLOCKS], 'readwrite', (tx) => tx.objectStore(BLOCKS).delete(blockKey(key, k)));
  }

  async deleteRun(key: string): Promise<void> {
    await transact(this.db, [RUNS, BLOCKS], 'readwrite', (tx) => {
      tx.objectStore(BLOCKS).delete(runBlocks(key));
      return tx.objectStore(RUNS).delete(key);
    });
  }
}

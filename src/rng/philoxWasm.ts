/**
 * Philox4x32-10 blocks at consecutive counters in WebAssembly, for the CPU engine's inner loops:
 * the same numbers as philox4x32Into (philox.ts), without its limb arithmetic. JavaScript has no
 * 32×32 → 64-bit multiply, so philox.ts assembles each round's high word from 16-bit limbs;
 * WebAssembly's i64.mul gives it in one instruction. The module is small enough to be written
 * here instruction by instruction (below) and compiled synchronously where it is first used.
 * Where WebAssembly is unavailable the same blocks come from philox.ts.
 */
import { philox4x32Into, PHILOX_ROUNDS } from './philox';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** Signed LEB128 of an integer in [−2^53, 2^53] (the encoding of wasm's i32/i64 constants). */
function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = ((v % 128) + 128) % 128;
    v = Math.floor(v / 128);
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** Unsigned LEB128 (lengths and indices). */
function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];

// The opcodes used (WebAssembly core specification, section 5.4).
const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  get: 0x20,
  set: 0x21,
  i32Store: 0x36,
  i32Const: 0x41,
  i64Const: 0x42,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Shl: 0x74,
  i32Xor: 0x73,
  i64Mul: 0x7e,
  i64ShrU: 0x88,
  i32WrapI64: 0xa7,
  i64ExtendI32U: 0xad,
  void: 0x40,
  i32: 0x7f,
  i64: 0x7e,
};

/**
 * fill(count, c1, c2, c3, k0, k1, first): block i < count, counter (first + i, c1, c2, c3) under
 * key (k0, k1), into memory bytes 16i … 16i + 15 (little-endian words, as a Uint32Array reads
 * them).
 */
function fillModule(): Uint8Array {
  // Locals: the parameters 0–6, then i32 i, x0–x3 (the counter words), key0, key1, and i64
  // products p0, p1.
  const [count, c1, c2, c3, k0, k1, first] = [0, 1, 2, 3, 4, 5, 6];
  const [i, x0, x1, x2, x3, key0, key1, p0, p1] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  const get = (l: number) => [op.get, l];
  const set = (l: number) => [op.set, l];
  // One instruction sequence per line: code(…) flattens its parts.
  const code = (...parts: (number | number[])[]) => parts.flat();
  const hiOf = (p: number) => code(get(p), op.i64Const, 32, op.i64ShrU, op.i32WrapI64);
  const loOf = (p: number) => code(get(p), op.i32WrapI64);
  const store = (x: number, offset: number) => code(get(i), op.i32Const, 4, op.i32Shl, get(x), op.i32Store, 2, offset);
  const philoxRound = [
    code(get(x0), op.i64ExtendI32U, op.i64Const, sleb(M0), op.i64Mul, set(p0)),
    code(get(x2), op.i64ExtendI32U, op.i64Const, sleb(M1), op.i64Mul, set(p1)),
    // x0 ← hi(M1·x2) ^ x1 ^ key0; x1 ← lo(M1·x2); x2 ← hi(M0·x0) ^ x3 ^ key1; x3 ← lo(M0·x0).
    code(hiOf(p1), get(x1), op.i32Xor, get(key0), op.i32Xor, set(x0)),
    code(loOf(p1), set(x1)),
    code(hiOf(p0), get(x3), op.i32Xor, get(key1), op.i32Xor, set(x2)),
    code(loOf(p0), set(x3)),
    code(get(key0), op.i32Const, sleb(W0 | 0), op.i32Add, set(key0)),
    code(get(key1), op.i32Const, sleb(W1 | 0), op.i32Add, set(key1)),
  ].flat();
  const locals = vector([
    [7, op.i32],
    [2, op.i64],
  ]);
  const body = [
    locals,
    code(op.block, op.void, op.loop, op.void),
    code(get(i), get(count), op.i32GeU, op.brIf, 1),
    code(get(first), get(i), op.i32Add, set(x0), get(c1), set(x1), get(c2), set(x2), get(c3), set(x3)),
    code(get(k0), set(key0), get(k1), set(key1)),
    // The rounds unrolled: no counter, no branch.
    ...Array.from({ length: PHILOX_ROUNDS }, () => philoxRound),
    code(store(x0, 0), store(x1, 4), store(x2, 8), store(x3, 12)),
    code(get(i), op.i32Const, 1, op.i32Add, set(i)),
    code(op.br, 0, op.end, op.end, op.end),
  ].flat();
  const magic = [0x00, 0x61, 0x73, 0x6d];
  const version = [0x01, 0x00, 0x00, 0x00];
  const i32Params = Array.from({ length: 7 }, () => [op.i32]);
  const bytes = [
    magic,
    version,
    section(1, vector([[0x60, ...vector(i32Params), 0]])),
    section(3, vector([[0]])),
    section(5, vector([[0x00, 1]])),
    section(7, vector([code(name('fill'), 0x00, 0), code(name('memory'), 0x02, 0)])),
    section(10, vector([[...uleb(body.length), ...body]])),
  ].flat();
  return new Uint8Array(bytes);
}

type Fill = (count: number, c1: number, c2: number, c3: number, k0: number, k1: number, first: number) => void;

let compiled: WebAssembly.Module | null | undefined;

function compiledModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = typeof WebAssembly === 'object' ? new WebAssembly.Module(fillModule() as BufferSource) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * A source of Philox blocks for one thread: `fill` returns a view of `count` blocks at counters
 * (first + i mod 2³², c1, c2, c3), valid until the next call.
 */
export class PhiloxBlockSource {
  private memory: WebAssembly.Memory | null = null;
  private wasmFill: Fill | null = null;
  private words = new Uint32Array(0);
  /** Whether the blocks come from WebAssembly (else from philox.ts). */
  readonly wasm: boolean;

  constructor(useWasm = true) {
    const module = useWasm ? compiledModule() : null;
    if (module) {
      const instance = new WebAssembly.Instance(module);
      this.memory = instance.exports.memory as WebAssembly.Memory;
      this.wasmFill = instance.exports.fill as Fill;
      this.words = new Uint32Array(this.memory.buffer);
    }
    this.wasm = this.wasmFill !== null;
  }

  fill(first: number, count: number, c1: number, c2: number, c3: number, k0: number, k1: number): Uint32Array {
    const need = 4 * count;
    if (this.words.length < need) this.grow(need);
    if (this.wasmFill) this.wasmFill(count, c1, c2, c3, k0, k1, first);
    else for (let i = 0; i < count; i++) philox4x32Into(first + i, c1, c2, c3, k0, k1, this.words, 4 * i);
    return this.words;
  }

  private grow(words: number): void {
    if (this.memory) {
      const pages = Math.ceil((4 * words - this.memory.buffer.byteLength) / 65536);
      if (pages > 0) this.memory.grow(pages);
      this.words = new Uint32Array(this.memory.buffer);
    } else this.words = new Uint32Array(words);
  }
}

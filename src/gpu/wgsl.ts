/**
 * WGSL composition. Sources are imported with Vite's `?raw` suffix, the one loading mechanism
 * shared by the browser bundle, the CLI bundle and vitest; a kernel is composed by
 * concatenating parts, libraries first. Parts are files (shaders/lib/*.wgsl for what src/rng
 * shares with the engines, src/micro/gpu/kernels/*.wgsl for the micro-gpu kernels) or text
 * generated here from TypeScript: the structs that host and kernel share (`wgslStruct`) and
 * named constants (`wgslConstants`), so the two sides cannot disagree by position.
 */
import type { GpuContext } from './device';
import { GpuDeviceError } from './device';
import gridLib from '../../shaders/lib/grid.wgsl?raw';
import philoxLib from '../../shaders/lib/philox.wgsl?raw';

export interface WgslPart {
  /** File name (or what generated the text), for error messages. */
  name: string;
  code: string;
}

/** Libraries shared by src/rng and the engines (shaders/lib: one home for both). */
export const GRID_WGSL: WgslPart = { name: 'shaders/lib/grid.wgsl', code: gridLib };
export const PHILOX_WGSL: WgslPart = { name: 'shaders/lib/philox.wgsl', code: philoxLib };

// ---- Structs shared by host and WGSL -------------------------------------------------------

export type WgslScalar = 'f32' | 'u32' | 'i32';
export type WgslVector = `vec${2 | 3 | 4}<${WgslScalar}>`;
// biome-ignore lint/suspicious/noExplicitAny: a nested struct of any field set (its own type is checked where it is declared)
export type WgslFieldType = WgslScalar | WgslVector | WgslStruct<any>;
export type WgslFields = { readonly [name: string]: WgslFieldType };

/** The value a field takes in `pack`: a number, the components of a vector, or a nested struct's values. */
export type WgslValue<T> = T extends WgslStruct<infer F> ? WgslValues<F> : T extends WgslScalar ? number : ArrayLike<number>;
/** Every field of a struct, by name: a missing or unknown name is a type error (and a thrown error at run time). */
export type WgslValues<F extends WgslFields> = { readonly [K in keyof F]: WgslValue<F[K]> };

export interface WgslMember {
  name: string;
  /** The WGSL spelling of the type. */
  type: string;
  /** Byte offset in the struct and the size of the member's type. */
  offset: number;
  size: number;
}

export interface WgslStruct<F extends WgslFields = WgslFields> {
  readonly name: string;
  readonly fields: F;
  /** The layout, by WGSL's alignment and size rules. */
  readonly members: readonly WgslMember[];
  readonly size: number;
  readonly align: number;
  /** The WGSL declaration, to compose into every kernel that uses the struct. */
  readonly part: WgslPart;
  /** The struct's bytes from its fields' values, keyed by name. */
  pack(values: WgslValues<F>): ArrayBuffer;
  write(view: DataView, offset: number, values: WgslValues<F>): void;
}

const roundUp = (k: number, n: number) => Math.ceil(n / k) * k;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isStruct(t: WgslFieldType): t is Extract<WgslFieldType, object> {
  return typeof t === 'object';
}

/** Size, alignment and component count of a scalar or vector type (WGSL §14.4.1). */
function vectorLayout(t: WgslScalar | WgslVector): { size: number; align: number; n: number; scalar: WgslScalar } {
  const m = /^(?:vec([234])<(f32|u32|i32)>|(f32|u32|i32))$/.exec(t);
  if (!m) throw new TypeError(`unsupported WGSL type ${t}`);
  if (m[3]) return { size: 4, align: 4, n: 1, scalar: m[3] as WgslScalar };
  const n = Number(m[1]);
  return { size: 4 * n, align: n === 2 ? 8 : 16, n, scalar: m[2] as WgslScalar };
}

function writeScalar(view: DataView, at: number, scalar: WgslScalar, v: unknown, what: string): void {
  if (typeof v !== 'number') throw new TypeError(`${what}: expected a number, got ${typeof v}`);
  if (scalar === 'f32') view.setFloat32(at, v, true);
  else if (scalar === 'u32') {
    if (!(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) throw new RangeError(`${what}: ${v} is not a u32`);
    view.setUint32(at, v, true);
  } else {
    if (!(Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff)) throw new RangeError(`${what}: ${v} is not an i32`);
    view.setInt32(at, v, true);
  }
}

/**
 * Declares a struct once for both sides: field names and WGSL types, in order. Offsets follow
 * WGSL's layout rules; a member of struct type gets @align(16) (and @size rounded to 16 when a
 * member follows it), so every struct declared here also satisfies the uniform address space's
 * rules. `part` is the WGSL declaration, `pack` writes values by field name and throws on a
 * missing or unknown name, naming it.
 */
export function wgslStruct<const F extends WgslFields>(name: string, fields: F): WgslStruct<F> {
  if (!IDENTIFIER.test(name)) throw new TypeError(`struct name ${JSON.stringify(name)} is not a WGSL identifier`);
  const names = Object.keys(fields);
  if (names.length === 0) throw new TypeError(`struct ${name} has no fields`);
  const members: (WgslMember & { attributes: string; field: WgslFieldType })[] = [];
  let offset = 0;
  let align = 4;
  names.forEach((field, i) => {
    if (!IDENTIFIER.test(field) || field.startsWith('__')) throw new TypeError(`struct ${name}: field ${JSON.stringify(field)} is not a WGSL identifier`);
    const t = fields[field];
    let size: number;
    let a: number;
    let memberSize: number;
    let attributes = '';
    let type: string;
    if (isStruct(t)) {
      size = t.size;
      a = roundUp(16, t.align);
      memberSize = i < names.length - 1 ? roundUp(16, size) : size;
      attributes = `@align(${a}) ${memberSize !== size ? `@size(${memberSize}) ` : ''}`;
      type = t.name;
    } else {
      ({ size, align: a } = vectorLayout(t));
      memberSize = size;
      type = t;
    }
    offset = roundUp(a, offset);
    members.push({ name: field, type, offset, size, attributes, field: t });
    offset += memberSize;
    align = Math.max(align, a);
  });
  const size = roundUp(align, offset);
  const code = `struct ${name} {\n${members.map((m) => `  ${m.attributes}${m.name}: ${m.type},`).join('\n')}\n}\n`;
  const known = new Set(names);

  const write = (view: DataView, base: number, values: WgslValues<F>): void => {
    const record = values as Readonly<Record<string, unknown>>;
    for (const key of Object.keys(record)) if (!known.has(key)) throw new TypeError(`${name}: unknown field "${key}" (fields: ${names.join(', ')})`);
    for (const m of members) {
      const v = record[m.name];
      const what = `${name}.${m.name}`;
      if (v === undefined) throw new TypeError(`${name}: missing field "${m.name}"`);
      if (isStruct(m.field)) {
        m.field.write(view, base + m.offset, v as WgslValues<WgslFields>);
        continue;
      }
      const { n, scalar } = vectorLayout(m.field);
      if (n === 1) {
        writeScalar(view, base + m.offset, scalar, v, what);
        continue;
      }
      const vec = v as ArrayLike<number>;
      if (typeof vec !== 'object' || vec.length !== n) throw new TypeError(`${what}: expected ${n} components for ${m.type}`);
      for (let c = 0; c < n; c++) writeScalar(view, base + m.offset + 4 * c, scalar, vec[c], `${what}[${c}]`);
    }
  };
  return {
    name,
    fields,
    members: members.map(({ name: n, type, offset: o, size: s }) => ({ name: n, type, offset: o, size: s })),
    size,
    align,
    part: { name: `struct ${name} (generated by wgslStruct)`, code },
    write,
    pack(values) {
      const buffer = new ArrayBuffer(size);
      write(new DataView(buffer), 0, values);
      return buffer;
    },
  };
}

/** `const NAME: u32 = Vu;` for each entry: how named host constants (model codes, layouts) reach WGSL. */
export function wgslConstants(name: string, constants: Readonly<Record<string, number>>): WgslPart {
  const lines = Object.entries(constants).map(([k, v]) => {
    if (!IDENTIFIER.test(k)) throw new TypeError(`constant name ${JSON.stringify(k)} is not a WGSL identifier`);
    if (!(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) throw new RangeError(`constant ${k} = ${v} is not a u32`);
    return `const ${k}: u32 = ${v}u;`;
  });
  return { name, code: `${lines.join('\n')}\n` };
}

/** Joins libraries and a kernel into one module, with markers that error messages can point to. */
export function composeWgsl(parts: readonly WgslPart[]): string {
  return parts.map((p) => `// ---- ${p.name} ----\n${p.code}`).join('\n');
}

/** Maps a line of a composed module back to "file:line". */
function locate(parts: readonly WgslPart[], line: number): string {
  let start = 1;
  for (const p of parts) {
    const lines = p.code.split('\n').length + 1; // +1 for the marker
    if (line < start + lines) return `${p.name}:${line - start}`;
    start += lines;
  }
  return `line ${line}`;
}

export interface ComputeKernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/**
 * Compiles a compute kernel and fails with the compiler's messages (file:line) on any
 * error, instead of leaving it to a later, vaguer validation error.
 */
export async function createComputeKernel(
  ctx: GpuContext,
  opts: { label: string; parts: readonly WgslPart[]; entryPoint?: string; constants?: Record<string, number>; layout?: GPUPipelineLayout },
): Promise<ComputeKernel> {
  const { device } = ctx;
  const code = composeWgsl(opts.parts);
  return ctx.checked(`compiling ${opts.label}`, async () => {
    const module = device.createShaderModule({ label: opts.label, code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      const text = errors.map((m) => `${locate(opts.parts, m.lineNum)}: ${m.message}`).join('\n');
      throw new GpuDeviceError(`WGSL errors in ${opts.label}:\n${text}`);
    }
    const pipeline = device.createComputePipeline({
      label: opts.label,
      // An explicit layout where bindings are shared by entry points or have dynamic offsets.
      layout: opts.layout ?? 'auto',
      compute: { module, entryPoint: opts.entryPoint ?? 'main', constants: opts.constants },
    });
    return { pipeline, layout: pipeline.getBindGroupLayout(0) };
  });
}

/**
 * Binds buffers to bindings 0, 1, 2, ... of group 0 in the order given. A null leaves its binding
 * out: an entry point of a multi-entry module that does not use a binding has no slot for it in
 * its automatic layout.
 */
export function bindBuffers(ctx: GpuContext, kernel: ComputeKernel, buffers: readonly (GPUBuffer | null)[], label?: string): GPUBindGroup {
  return ctx.device.createBindGroup({
    label,
    layout: kernel.layout,
    entries: buffers.flatMap((buffer, binding) => (buffer ? [{ binding, resource: { buffer } }] : [])),
  });
}

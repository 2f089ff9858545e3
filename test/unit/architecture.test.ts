/**
 * The layering of docs/architecture.md, checked on the import statements of every source file:
 * engines take what they share from src/compile, never from each other, and nothing below the
 * user-facing layers imports them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.ts$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every relative import of a file, as a path from the repository root. */
function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) out.push(relative(root, resolve(root, dirname(file), m[1])));
  for (const m of text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) out.push(relative(root, resolve(root, dirname(file), m[1])));
  return out;
}

function offenders(from: string, forbidden: readonly string[]): string[] {
  return sources(from).flatMap((f) =>
    imports(f)
      .filter((i) => forbidden.some((p) => i === p || i.startsWith(`${p}/`)))
      .map((i) => `${f} → ${i}`),
  );
}

/** The layers below the user-facing ones (cli, app, validation, bench). */
const BELOW_THE_TOP = [
  'src/model',
  'src/synapse',
  'src/compile',
  'src/micro',
  'src/meso',
  'src/engines',
  'src/gpu',
  'src/rng',
  'src/analysis',
  'src/io',
  'src/sweep',
  'src/cluster',
];

describe('layers (docs/architecture.md)', () => {
  it('finds the imports it checks', () => {
    expect(imports('src/micro/cpu/simulate.ts')).toContain('src/compile');
  });

  it('the meso and GPU engines take what they share from src/compile, not from the CPU engine', () => {
    expect(offenders('src/meso', ['src/micro'])).toEqual([]);
    expect(offenders('src/micro/gpu', ['src/micro/cpu', 'src/meso'])).toEqual([]);
    expect(offenders('src/micro/cpu', ['src/micro/gpu', 'src/meso'])).toEqual([]);
  });

  it('the description, the equations and the compile layer import no engine', () => {
    const engines = ['src/micro', 'src/meso', 'src/engines', 'src/run'];
    expect(offenders('src/model', [...engines, 'src/compile', 'src/synapse'])).toEqual([]);
    expect(offenders('src/synapse', [...engines, 'src/compile'])).toEqual([]);
    expect(offenders('src/compile', engines)).toEqual([]);
  });

  it('nothing below the user-facing layers imports cli, app, validation or bench', () => {
    const top = ['src/cli', 'src/app', 'src/validation', 'bench'];
    for (const dir of BELOW_THE_TOP) {
      expect(offenders(dir, top), dir).toEqual([]);
    }
  });

  it('src/cluster writes scripts and imports nothing of mesostp (the command checks runs by running itself)', () => {
    expect(offenders('src/cluster', [...BELOW_THE_TOP.filter((d) => d !== 'src/cluster'), 'src/run'])).toEqual([]);
  });
});

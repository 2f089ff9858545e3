/** The scenarios of scenarios/ (the CLI's presets), bundled into the app by Vite at build time; not the JSON Schema there. */
const files = import.meta.glob<Record<string, unknown>>(['../../scenarios/*.json', '!../../scenarios/*.schema.json'], { eager: true, import: 'default' });

export interface Preset {
  name: string;
  description: string;
  json: Record<string, unknown>;
}

export const PRESETS: Preset[] = Object.entries(files)
  .map(([file, json]) => ({
    name: String(json.name ?? file.replace(/^.*\/|\.json$/g, '')),
    description: String(json.description ?? ''),
    json,
  }))
  .sort((a, b) => a.name.localeCompare(b.name));

/** What the app opens with: the feedforward STP experiment of validation V2 (docs/validation/plan.md). */
export const DEFAULT_PRESET = 'v2-feedforward-depression';

export function presetNamed(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}

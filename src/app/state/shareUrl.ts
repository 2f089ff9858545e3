/**
 * A shareable URL restores the scenario and the chosen levels: the scenario JSON, deflated
 * (CompressionStream, in every current browser and in Node) and base64url-encoded, in the URL's
 * fragment, so it never reaches a server and a preset with edits fits in a link.
 */
import { LEVEL_CHOICES, type LevelChoice } from './levels';

export interface SharedState {
  scenario: unknown;
  levels: LevelChoice[];
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The fragment ("#s=…&levels=…") for a scenario and levels. */
export async function encodeShared(state: SharedState): Promise<string> {
  const packed = await pipe(new TextEncoder().encode(JSON.stringify(state.scenario)), new CompressionStream('deflate-raw'));
  return `#s=${toBase64Url(packed)}&levels=${state.levels.join(',')}`;
}

/** What a fragment restores; null when it holds no scenario; an Error naming what is wrong when it is damaged. */
export async function decodeShared(hash: string): Promise<SharedState | null> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const packed = params.get('s');
  if (!packed) return null;
  let scenario: unknown;
  try {
    const bytes = await pipe(fromBase64Url(packed), new DecompressionStream('deflate-raw'));
    scenario = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(
      `the link's scenario (#s=…) could not be read: ${error instanceof Error ? error.message : String(error)}; it may have been cut off when copied`,
    );
  }
  const names = (params.get('levels') ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !(LEVEL_CHOICES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`the link names unknown levels ${unknown.join(', ')}; known: ${LEVEL_CHOICES.join(', ')}`);
  return { scenario, levels: names as LevelChoice[] };
}

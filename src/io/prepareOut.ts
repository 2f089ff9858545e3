/** The output folder of a checkpointed run (`mesostp run --out`, a point of `mesostp sweep`): new, this run resumed, or refused. */
import { rm, stat } from 'node:fs/promises';
import { withdrawOutput } from './blockedRun';
import { canonicalJson, emptyDir, listBlocks, type Manifest, manifestDifferences, outState } from './checkpoint';

/**
 * Makes `out` ready for the run of `manifest`: returns how many of its blocks are saved already
 * (0 for a new run), or why the folder is refused (a sentence that names the fix).
 */
export async function prepareOut(out: string, manifest: Manifest, o: { resume: boolean; force: boolean }): Promise<{ resumed: number } | string> {
  const state = await outState(out);
  if (state.kind === 'run') {
    const diff = manifestDifferences(state.manifest, manifest);
    const sameShard = canonicalJson(state.manifest.shard) === canonicalJson(manifest.shard);
    const saved = (await listBlocks(out)).length;
    if (diff.length === 0 && sameShard && o.resume) {
      await withdrawOutput(out);
      return { resumed: saved };
    }
    if (!o.force) {
      if (diff.length > 0)
        return `${out} holds another run (${diff.join('; ').replaceAll(' there,', ` in ${out},`)}): choose a new or empty --out, or --force to replace it`;
      const shardText = (s: Manifest['shard']) => (s ? `shard ${s.index}/${s.count}` : 'every block');
      if (!sameShard)
        return `${out} holds ${shardText(state.manifest.shard)} of this run, not ${shardText(manifest.shard)}: run that with --resume, choose another --out, or --force to start over`;
      return `a run of this scenario is in ${out} (${saved} of ${manifest.blocks} block(s) saved): --resume continues it, --force starts over`;
    }
  } else if (state.kind === 'other' && !o.force)
    return `${out} holds files that are not a mesostp run (no manifest.json): choose a new or empty --out, or --force to replace them`;
  if (o.force && state.kind !== 'empty') {
    if ((await stat(out)).isDirectory()) await emptyDir(out);
    else await rm(out);
  }
  if (o.resume) console.error(`nothing to resume in ${out}: starting the run`);
  return { resumed: 0 };
}

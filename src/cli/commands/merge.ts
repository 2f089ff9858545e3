import { parseArgs } from 'node:util';
import type { Command } from '../command';
import { checkShards, mergeShards } from '../../io/blockedRun';
import { emptyDir, outState } from '../../io/checkpoint';
import { writeRecording } from '../../io/recordingFiles';
import { rm, stat } from 'node:fs/promises';

const help = `mesostp merge OUT DIR... [--force]

Combines the shards of one run (mesostp run --shard K/N --out DIR) into OUT: its manifest, every
block file, the .npy arrays and summary.json, the same bytes as the run in one process gives.
The folders must hold blocks of the same run (scenario, seed, level, options, trials, block
layout and mesostp version); between them every block must be there, or the missing ones are
named. A folder may also be an interrupted run or a whole one.

Options:
  --force          empty OUT first when it is not empty (it must be new or empty otherwise)`;

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'combine the shards of a run (run --shard K/N) into one run folder',
  help,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { force: { type: 'boolean', default: false } } });
    if (positionals.length < 2) {
      console.error(`mesostp merge: expected an output folder and at least one shard folder.\n\n${help}`);
      return 2;
    }
    const [out, ...dirs] = positionals;
    const check = await checkShards(dirs);
    if (!check.ok) {
      for (const p of check.problems) console.error(`mesostp merge: ${p}`);
      return 1;
    }
    const state = await outState(out);
    if (state.kind !== 'empty') {
      if (!values.force) {
        console.error(`mesostp merge: ${out} is not empty: choose a new or empty folder, or --force to replace what it holds`);
        return 1;
      }
      if (dirs.includes(out)) {
        console.error(`mesostp merge: ${out} is one of the shards; choose another output folder`);
        return 1;
      }
      if ((await stat(out)).isDirectory()) await emptyDir(out);
      else await rm(out);
    }
    const recording = await mergeShards(out, check.manifest, check.sources);
    const summary = await writeRecording(recording, out);
    console.log(
      `${summary.scenario}: ${check.manifest.blocks} block(s) of ${dirs.length} folder(s) merged: ${summary.trials} trial(s) × ${summary.completedDuration} s at ${summary.level}`,
    );
    console.log(`wrote ${out}/summary.json and ${Object.keys(summary.files).length} .npy file(s)`);
    return 0;
  },
};

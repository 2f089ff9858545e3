/**
 * Downloads of what each level computed, in the CLI's formats: summary.json (with the .npy file
 * names it refers to) and every recorded array as .npy, named like `mesostp run` names them and
 * prefixed with the scenario and level so that files of several levels do not collide.
 */
import type { Recording } from '../../model/recording';
import { summarize, type RunSummary } from '../../analysis/summary';
import { fileStem, recordingArrays } from '../../io/recordingArrays';
import { encodeNpy } from '../../io/npy';
import type { LevelChoice } from '../state/levels';
import { variant } from '../../engines';
import { downloadBlob } from './download';
import { el } from './dom';

export function filePrefix(r: Recording, choice: LevelChoice): string {
  return `${fileStem(r.scenario.name)}_${choice}`;
}

/** The level's summary.json, naming the .npy files the export panel offers. */
export function exportSummary(r: Recording, choice: LevelChoice): RunSummary {
  const prefix = filePrefix(r, choice);
  return summarize(r, Object.fromEntries(Object.entries(recordingArrays(r)).map(([key, a]) => [key, `${prefix}_${a.file}`])));
}

/** One block per level: its summary.json (as computed at the end of the run) and its arrays. */
export function renderExports(host: HTMLElement, levels: { choice: LevelChoice; recording: Recording; summary: RunSummary }[]): void {
  const blocks = levels.map(({ choice, recording: r, summary }) => {
    const summaryName = `${filePrefix(r, choice)}_summary.json`;
    const summaryButton = el('button', { type: 'button', class: 'small', 'data-file': summaryName, text: 'summary.json' });
    summaryButton.addEventListener('click', () => downloadBlob(new Blob([`${JSON.stringify(summary, null, 2)}\n`], { type: 'application/json' }), summaryName));
    const npyButtons = Object.entries(recordingArrays(r)).map(([key, a]) => {
      const name = summary.files[key];
      const b = el('button', { type: 'button', class: 'small', 'data-file': name, title: `${key}: shape [${a.shape.join(', ')}]`, text: a.file });
      b.addEventListener('click', () => downloadBlob(new Blob([encodeNpy(a.data, a.shape) as BlobPart], { type: 'application/octet-stream' }), name));
      return b;
    });
    return el(
      'div',
      { class: 'export-level', 'data-level': choice },
      el('h3', { text: `${variant(choice).label}${r.cancelled ? ' (partial)' : ''}` }),
      el('div', { class: 'buttons' }, summaryButton, ...npyButtons),
    );
  });
  host.replaceChildren(...blocks);
}

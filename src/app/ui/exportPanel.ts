/**
 * Downloads of what each level computed, in the CLI's formats: summary.json (with the .npy file
 * names it refers to) and every recorded array as .npy, named like `mesostp run` names them and
 * prefixed with the scenario and level so that files of several levels do not collide.
 */
import type { Recording } from '../../model/recording';
import { summarize } from '../../analysis/summary';
import { recordingArrays } from '../../io/recordingArrays';
import { encodeNpy } from '../../io/npy';
import { LEVELS, type LevelChoice } from '../state/levels';
import { downloadBlob, safeName } from './download';
import { el } from './dom';

export function filePrefix(r: Recording, choice: LevelChoice): string {
  return `${safeName(r.scenario.name)}_${choice}`;
}

export function renderExports(host: HTMLElement, recs: [LevelChoice, Recording][]): void {
  const blocks = recs.map(([choice, r]) => {
    const prefix = filePrefix(r, choice);
    const arrays = recordingArrays(r);
    const files = Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, `${prefix}_${a.file}`]));
    const summaryButton = el('button', { type: 'button', class: 'small', 'data-file': `${prefix}_summary.json`, text: 'summary.json' });
    summaryButton.addEventListener('click', () => {
      const text = `${JSON.stringify(summarize(r, files), null, 2)}\n`;
      downloadBlob(new Blob([text], { type: 'application/json' }), `${prefix}_summary.json`);
    });
    const npyButtons = Object.entries(arrays).map(([key, a]) => {
      const b = el('button', { type: 'button', class: 'small', 'data-file': files[key], title: `${key}: shape [${a.shape.join(', ')}]`, text: a.file });
      b.addEventListener('click', () => downloadBlob(new Blob([encodeNpy(a.data, a.shape) as BlobPart], { type: 'application/octet-stream' }), files[key]));
      return b;
    });
    return el('div', { class: 'export-level', 'data-level': choice }, el('h3', { text: `${LEVELS[choice].label}${r.cancelled ? ' (partial)' : ''}` }), el('div', { class: 'buttons' }, summaryButton, ...npyButtons));
  });
  host.replaceChildren(...blocks);
}

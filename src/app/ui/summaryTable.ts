/** The results table: one row per level with its rates and input statistics (summary.json's numbers). */
import type { RunSummary } from '../../analysis/summary';
import type { LevelChoice } from '../state/levels';
import { type MesoPlacement, placeText } from '../state/mesoPlacement';
import { variant } from '../../engines';
import { el } from './dom';

const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const pm = (m: number, se: number | null) => `${fmt(m)}${se === null ? '' : ` ± ${fmt(se)}`}`;

/** One row per level; a meso level's row says where it ran (`runsOn`). */
export function renderSummaryTable(table: HTMLTableElement, summaries: [LevelChoice, RunSummary, MesoPlacement?][]): void {
  if (summaries.length === 0) {
    table.hidden = true;
    return;
  }
  const pops = [...new Set(summaries.flatMap(([, s]) => Object.keys(s.populations)))];
  const inputs = [...new Set(summaries.flatMap(([, s]) => Object.keys(s.inputs)))];
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col', text: 'level' }),
    el('th', { scope: 'col', class: 'num', text: 'trials' }),
    el('th', { scope: 'col', class: 'num', text: 'simulated (s)' }),
    el('th', { scope: 'col', class: 'num', text: 'wall (s)' }),
  );
  for (const p of pops) head.append(el('th', { scope: 'col', class: 'num', text: `rate ${p} (Hz)` }));
  for (const i of inputs)
    head.append(
      el('th', { scope: 'col', class: 'num', text: `input ${i}: mean (mV)` }),
      el('th', { scope: 'col', class: 'num', text: `s.d. across trials (mV)` }),
    );
  table.tHead!.replaceChildren(head);
  const rows = summaries.map(([choice, s, runsOn]) => {
    const row = el(
      'tr',
      { 'data-level': choice },
      el('th', { scope: 'row', text: `${variant(choice).label}${runsOn ? ` — ${placeText(runsOn.where)}` : ''}${s.cancelled ? ' (partial)' : ''}` }),
      el('td', { class: 'num', text: String(s.trials) }),
      el('td', { class: 'num', text: fmt(s.completedDuration, 3) }),
      el('td', { class: 'num', text: fmt(s.wallSeconds, 2) }),
    );
    for (const p of pops) {
      const r = s.populations[p];
      row.append(el('td', { class: 'num', 'data-key': `rate.${p}`, text: r ? pm(r.rateHz, r.rateHzSem) : '–' }));
    }
    for (const i of inputs) {
      const r = s.inputs[i];
      row.append(
        el('td', { class: 'num', 'data-key': `input.${i}.mean`, text: r ? pm(r.mean, r.meanSem) : '–' }),
        el('td', { class: 'num', 'data-key': `input.${i}.sd`, text: r ? fmt(r.sd) : '–' }),
      );
    }
    return row;
  });
  table.tBodies[0].replaceChildren(...rows);
  table.hidden = false;
}

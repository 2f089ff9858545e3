/**
 * The run panel's notice of saved runs: "N of M blocks of this run are saved from an earlier
 * session", with Resume and Discard for each (the run of the form's scenario first), and a
 * line for storage problems (no storage, a full quota), which are shown, never dropped.
 */
import { adapterNote, type SavedRunInfo, savedRunText } from '../state/savedRuns';
import { el } from './dom';

export interface SavedRunsActions {
  resume(key: string): void;
  discard(key: string): void;
}

const when = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
};

export class SavedRunsPanel {
  constructor(
    private readonly host: HTMLElement,
    private readonly status: HTMLElement,
    private readonly actions: SavedRunsActions,
  ) {}

  /** Shows the saved runs (hidden when there are none); `busy`: a run is going, so nothing can be resumed or discarded now. */
  show(runs: readonly SavedRunInfo[], o: { busy: boolean; adapter: string | null }): void {
    const items = runs.map((run) => {
      const resume = el('button', {
        type: 'button',
        class: 'primary small',
        'data-action': 'resume',
        text: 'Resume',
        disabled: o.busy || run.blocked !== null,
      });
      const discard = el('button', {
        type: 'button',
        class: 'small',
        'data-action': 'discard',
        text: 'Discard',
        disabled: o.busy || run.blocked?.startsWith('another tab'),
      });
      resume.addEventListener('click', () => this.actions.resume(run.key));
      discard.addEventListener('click', () => this.actions.discard(run.key));
      const note = adapterNote(run, o.adapter);
      return el(
        'div',
        { class: 'saved-run', 'data-key': run.key, 'data-matches-form': String(run.matchesForm) },
        el('p', { class: 'saved-run-text', text: savedRunText(run, when) }),
        note ? el('p', { class: 'note', text: note }) : '',
        el('div', { class: 'row' }, resume, discard),
      );
    });
    this.host.replaceChildren(...items);
    this.host.hidden = items.length === 0;
  }

  /** A storage problem (null clears it). */
  showStatus(message: string | null): void {
    this.status.textContent = message ?? '';
    this.status.hidden = message === null;
  }
}

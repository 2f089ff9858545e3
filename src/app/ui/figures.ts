/**
 * The live figures: each is an SVG from the reports' plotting code (src/analysis/svgPlot.ts),
 * redrawn when a level delivers results, with buttons that save it as SVG or PNG.
 */
import { linePlotSvg } from '../../analysis/svgPlot';
import type { Figure } from '../state/plotData';
import { downloadBlob, svgToPng } from './download';
import { fileStem } from '../../io/recordingArrays';
import { el, errorMessage } from './dom';

export class FigurePanel {
  private readonly svgHost: HTMLElement;
  private readonly note: HTMLElement;
  private readonly title: HTMLElement;
  private svg = '';
  private figure: Figure | null = null;
  readonly root: HTMLElement;

  constructor(
    readonly id: string,
    private readonly filePrefix: () => string,
    controls: HTMLElement[] = [],
  ) {
    this.title = el('h3', { text: '' });
    this.svgHost = el('div', { class: 'figure-svg', role: 'img' });
    this.note = el('p', { class: 'note', hidden: true });
    const svgButton = el('button', { type: 'button', class: 'small', 'data-export': 'svg', text: 'SVG' });
    const pngButton = el('button', { type: 'button', class: 'small', 'data-export': 'png', text: 'PNG' });
    svgButton.addEventListener('click', () => this.save('svg'));
    pngButton.addEventListener('click', () => void this.save('png'));
    this.root = el(
      'figure',
      { class: 'figure', id: `figure-${id}`, hidden: true },
      el('div', { class: 'figure-head' }, this.title, ...controls, el('span', { class: 'figure-export' }, svgButton, pngButton)),
      this.svgHost,
      this.note,
    );
  }

  show(figure: Figure | null): void {
    this.figure = figure;
    if (!figure || figure.lines.length === 0) {
      this.root.hidden = !figure?.note;
      this.svg = '';
      this.svgHost.replaceChildren();
      this.title.textContent = figure?.options.title ?? '';
      this.note.textContent = figure?.note ?? '';
      this.note.hidden = !figure?.note;
      return;
    }
    this.root.hidden = false;
    this.title.textContent = figure.options.title;
    this.svg = linePlotSvg(figure.lines, { width: 820, height: 340, ...figure.options, title: '' });
    this.svgHost.innerHTML = this.svg;
    this.svgHost.setAttribute('aria-label', figure.options.title);
    this.note.textContent = figure.note ?? '';
    this.note.hidden = !figure.note;
  }

  private async save(kind: 'svg' | 'png'): Promise<void> {
    if (!this.figure || !this.svg) return;
    // The saved file carries its title (the page shows it as a heading instead).
    const svg = linePlotSvg(this.figure.lines, { width: 820, height: 340, ...this.figure.options });
    const name = `${fileStem(this.filePrefix())}_${fileStem(this.id)}.${kind}`;
    try {
      downloadBlob(kind === 'svg' ? new Blob([svg], { type: 'image/svg+xml' }) : await svgToPng(svg), name);
    } catch (error) {
      this.note.textContent = `could not save ${name}: ${errorMessage(error)}`;
      this.note.hidden = false;
    }
  }
}

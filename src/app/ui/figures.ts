/**
 * The live figures: each is the reports' Vega-Lite figure (src/analysis/figures) drawn by Vega
 * in the page, made interactive (./../../analysis/figures/interaction.ts: zoom and pan on x,
 * legend toggles, hover values shown under the figure), redrawn when a level delivers results.
 * SVG and PNG are saved from Vega's own renderers, with the title the page shows as a heading.
 */
import type { View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { interactiveSpec } from '../../analysis/figures/interaction';
import { renderSpecSvg } from '../../analysis/figures/renderSvg';
import { lineFigureSpec } from '../../analysis/figures/vegaLiteSpec';
import type { LineFigure } from '../../analysis/figures/lineFigure';
import type { Figure } from '../state/plotData';
import { downloadBlob } from './download';
import { fileStem } from '../../io/recordingArrays';
import { el, errorMessage } from './dom';

/**
 * Vega and Vega-Lite (about 800 kB minified) load with the first figure, in a chunk of their own,
 * so the page's first paint and its scenario editor do not wait for them.
 */
let plotting: Promise<{ vega: typeof import('vega'); vegaLite: typeof import('vega-lite') }> | null = null;
function loadPlotting() {
  plotting ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return plotting;
}

/** A Vega view of a Vega-Lite specification, loading the libraries first. */
async function viewOf(spec: TopLevelSpec, options: ConstructorParameters<typeof View>[1]): Promise<View> {
  const { vega, vegaLite } = await loadPlotting();
  return new vega.View(vega.parse(vegaLite.compile(spec).spec), options);
}

/** The figure's plot area in the page, in pixels. */
const SIZE = { width: 720, height: 300 };

/** "series: micro (WebGPU) · time (s): 0.1235 · input (mV): 12.3": a hovered point's values, in the tooltip's order. */
function describePoint(value: unknown): string {
  if (value === null || typeof value !== 'object') return value === undefined || value === null ? '' : String(value);
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${v}`)
    .join(' · ');
}

export class FigurePanel {
  private readonly plotHost: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly note: HTMLElement;
  private readonly title: HTMLElement;
  private view: View | null = null;
  private figure: Figure | null = null;
  /** Counts show() calls: a figure whose libraries arrive after a newer show() is not attached. */
  private drawn = 0;
  readonly root: HTMLElement;

  constructor(
    readonly id: string,
    private readonly filePrefix: () => string,
    controls: HTMLElement[] = [],
  ) {
    this.title = el('h3', { text: '' });
    this.plotHost = el('div', { class: 'figure-svg', role: 'img' });
    this.readout = el('p', { class: 'figure-readout note', 'aria-live': 'polite', text: '' });
    this.note = el('p', { class: 'note', hidden: true });
    const svgButton = el('button', { type: 'button', class: 'small', 'data-export': 'svg', text: 'SVG' });
    const pngButton = el('button', { type: 'button', class: 'small', 'data-export': 'png', text: 'PNG' });
    svgButton.addEventListener('click', () => void this.save('svg'));
    pngButton.addEventListener('click', () => void this.save('png'));
    this.root = el(
      'figure',
      { class: 'figure', id: `figure-${id}`, hidden: true },
      el('div', { class: 'figure-head' }, this.title, ...controls, el('span', { class: 'figure-export' }, svgButton, pngButton)),
      this.plotHost,
      this.readout,
      this.note,
    );
  }

  /** The figure as drawn in the page: without its title, which the page shows as the heading. */
  private lineFigure(figure: Figure, withTitle: boolean): LineFigure {
    return { ...SIZE, ...figure.options, title: withTitle ? figure.options.title : '', series: figure.lines };
  }

  show(figure: Figure | null): void {
    this.figure = figure;
    const generation = ++this.drawn;
    this.view?.finalize();
    this.view = null;
    this.readout.textContent = '';
    if (!figure || figure.lines.length === 0) {
      this.root.hidden = !figure?.note;
      this.plotHost.replaceChildren();
      this.title.textContent = figure?.options.title ?? '';
      this.note.textContent = figure?.note ?? '';
      this.note.hidden = !figure?.note;
      return;
    }
    this.root.hidden = false;
    this.title.textContent = figure.options.title;
    this.plotHost.setAttribute('aria-label', figure.options.title);
    this.note.textContent = figure.note ?? '';
    this.note.hidden = !figure.note;
    const spec = interactiveSpec(lineFigureSpec(this.lineFigure(figure, false)));
    void this.draw(spec, generation);
  }

  private async draw(spec: TopLevelSpec, generation: number): Promise<void> {
    try {
      await loadPlotting();
      // A newer show() came while the libraries loaded: it draws instead.
      if (generation !== this.drawn) return;
      // SVG in the page: a few thousand points per figure at most (plotData's MAX_POINTS), and
      // the hover layer's invisible markers receive pointer events there.
      const view = await viewOf(spec, { renderer: 'svg', container: this.plotHost, hover: true });
      view.tooltip((_handler, _event, _item, value) => {
        this.readout.textContent = describePoint(value);
      });
      this.view = view;
      await view.runAsync();
      this.plotHost.dataset.drawn = String(generation);
    } catch (error) {
      this.note.textContent = `could not draw the figure: ${errorMessage(error)}`;
      this.note.hidden = false;
    }
  }

  private async save(kind: 'svg' | 'png'): Promise<void> {
    if (!this.figure || this.figure.lines.length === 0) return;
    const name = `${fileStem(this.filePrefix())}_${fileStem(this.id)}.${kind}`;
    try {
      // The saved file is the static figure with its title, as the reports draw it.
      const spec = lineFigureSpec(this.lineFigure(this.figure, true));
      if (kind === 'svg') {
        // The same bytes as the reports' SVG of this figure.
        downloadBlob(new Blob([await renderSpecSvg(spec)], { type: 'image/svg+xml' }), name);
        return;
      }
      const view = await viewOf(spec, { renderer: 'none' });
      try {
        // PNG from Vega's canvas renderer at twice the size: crisp on slides.
        downloadBlob(await (await fetch(await view.toImageURL('png', 2))).blob(), name);
      } finally {
        view.finalize();
      }
    } catch (error) {
      this.note.textContent = `could not save ${name}: ${errorMessage(error)}`;
      this.note.hidden = false;
    }
  }
}

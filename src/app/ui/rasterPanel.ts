/**
 * The spike raster figure: the spikes a micro run recorded (scenario.record.spikes, first entry)
 * of one trial, drawn by ../raster/spikeRaster.ts (a WebGPU render pipeline, so 10⁵ neurons and
 * millions of spikes are one draw call), with the trial chosen in the figure's header.
 */
import type { GpuContext } from '../../gpu/device';
import type { Recording, SpikeRecording } from '../../model/recording';
import { SpikeRaster, type RasterData, type View } from '../raster/spikeRaster';
import { fileStem } from '../../io/recordingArrays';
import { byId, errorMessage } from './dom';
import { downloadBlob, imageDataToPng } from './download';

/** One trial's spikes of a recording as the raster's vertex data. */
export function rasterTrial(s: SpikeRecording, trial: number, duration: number, rows: number): RasterData {
  let n = 0;
  for (let i = 0; i < s.trial.length; i++) if (s.trial[i] === trial) n++;
  const time = new Float32Array(n);
  const row = new Float32Array(n);
  let j = 0;
  for (let i = 0; i < s.trial.length; i++) {
    if (s.trial[i] !== trial) continue;
    time[j] = s.time[i];
    row[j++] = s.neuron[i];
  }
  return { time, row, duration, rows };
}

export class RasterPanel {
  private readonly ui = {
    figure: byId<HTMLElement>('raster'),
    title: byId<HTMLElement>('raster-title'),
    trial: byId<HTMLInputElement>('raster-trial'),
    canvas: byId<HTMLCanvasElement>('raster-canvas'),
    reset: byId<HTMLButtonElement>('raster-reset'),
    png: byId<HTMLButtonElement>('raster-png'),
    note: byId<HTMLElement>('raster-note'),
    axes: byId<HTMLElement>('raster-axes'),
  };
  private raster: SpikeRaster | null = null;
  private rasterGpu: GpuContext | null = null;
  private recording: Recording | null = null;
  private pending: Promise<void> = Promise.resolve();
  private readonly help: string;

  constructor(private readonly gpu: () => GpuContext | null) {
    this.help = this.ui.note.textContent ?? '';
    this.ui.trial.addEventListener('change', () => this.redraw());
    this.ui.reset.addEventListener('click', () => this.raster?.resetView());
    this.ui.png.addEventListener('click', () => void this.savePng());
  }

  /** Shows the spikes of `r` (a micro recording with recorded spikes); other recordings are ignored. */
  show(r: Recording): void {
    // Under record.trials 'stats' only the kept trials have spikes.
    if (Object.keys(r.spikes).length === 0 || r.keptTrials === 0) return;
    this.recording = r;
    this.redraw();
  }

  clear(): void {
    this.recording = null;
    this.ui.figure.hidden = true;
  }

  /** Forgets the raster's device (lost or replaced): the next show() builds it on the new one. */
  detach(): void {
    this.raster?.destroy();
    this.raster = null;
    this.rasterGpu = null;
  }

  get spikeCount(): number {
    return this.raster?.spikeCount ?? 0;
  }

  /** Renders the current view off screen and reads it back (the PNG export; tests check its pixels). */
  async image(): Promise<ImageData | null> {
    await this.pending;
    return this.raster ? this.raster.toImageData() : null;
  }

  private redraw(): void {
    this.pending = this.pending
      .then(() => this.draw())
      .catch((error) => {
        this.ui.note.textContent = `The raster could not be drawn: ${errorMessage(error)}`;
      });
  }

  private async draw(): Promise<void> {
    const r = this.recording;
    const ctx = this.gpu();
    if (!r || !ctx) return;
    const [pop, s] = Object.entries(r.spikes)[0];
    const trial = Math.min(Math.max(0, Math.floor(Number(this.ui.trial.value) || 0)), r.keptTrials - 1);
    this.ui.trial.max = String(r.keptTrials - 1);
    this.ui.trial.value = String(trial);
    this.ui.figure.hidden = false;
    if (!this.raster || this.rasterGpu !== ctx) {
      this.raster?.destroy();
      this.raster = await SpikeRaster.create(this.ui.canvas, ctx, { onView: (v) => this.showAxes(v) });
      this.rasterGpu = ctx;
    }
    // The engines record the first `neurons` neurons (indices 0 … m − 1): one row each.
    const data = { ...rasterTrial(s, trial, r.completedSteps * r.dt, s.neurons.length), dt: r.dt };
    this.raster.setData(data);
    this.ui.title.textContent = `Spike raster: ${pop}, ${data.rows} neurons, trial ${trial} of ${r.trials} (${data.time.length} spikes)`;
    this.ui.figure.dataset.spikes = String(data.time.length);
    this.ui.note.textContent = this.help;
  }

  /** The visible ranges, in place of axes the render pipeline does not draw. */
  private showAxes(v: View): void {
    const digits = v.t1 - v.t0 < 0.01 ? 4 : 3;
    this.ui.axes.textContent = `time ${v.t0.toFixed(digits)} – ${v.t1.toFixed(digits)} s (left to right) · neurons ${Math.floor(v.r0)} – ${Math.ceil(v.r1) - 1} (top to bottom)`;
  }

  private async savePng(): Promise<void> {
    try {
      const image = await this.image();
      if (!image || !this.recording) return;
      downloadBlob(await imageDataToPng(image), `${fileStem(this.recording.scenario.name)}_raster_trial${this.ui.trial.value}.png`);
    } catch (error) {
      this.ui.note.textContent = `Could not save the raster: ${errorMessage(error)}`;
    }
  }
}

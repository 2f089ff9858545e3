/**
 * The spike raster in the browser: spikes uploaded once to two GPU vertex buffers and drawn
 * with one instanced draw call (shaders/app/raster.wgsl), so panning and zooming through
 * millions of spikes costs no per-spike JavaScript, only a new uniform (viewTransform.ts).
 */
import rasterWgsl from '../../../shaders/app/raster.wgsl?raw';
import { GpuDeviceError, type GpuContext } from '../../gpu/device';
import { clampView, fullView, markHalfSize, panBy, viewMatrix, zoomAt, type View, type ViewLimits } from './viewTransform';

export type { View } from './viewTransform';

export interface RasterData {
  /** Spike times (s), one per spike. */
  time: Float32Array;
  /** Row (neuron index) of each spike: row r is drawn in the band [r, r + 1), row 0 at the top. */
  row: Float32Array;
  duration: number;
  rows: number;
  /** Simulation step (s); zooming in stops at 10 steps. Without it, at duration / 10⁴. */
  dt?: number;
}

export type Rgba = [number, number, number, number];

export interface SpikeRasterOptions {
  color?: Rgba;
  /** The canvas is opaque, so the alpha given here is ignored and taken as 1. */
  background?: Rgba;
  /** Where GPU errors caught after setData return go; console.error by default. */
  onError?: (error: Error) => void;
  /** Called after each frame with the view it showed (for axis labels beside the canvas). */
  onView?: (view: View) => void;
}

/** transform (16 floats), origin (2), half size (2), colour (4): WGSL's layout of `Raster`. */
const UNIFORM_FLOATS = 24;
/** Readback format of toImageData: byte order R, G, B, A as ImageData wants it. */
const EXPORT_FORMAT: GPUTextureFormat = 'rgba8unorm';
/** Wheel zoom per pixel of scroll; a typical mouse notch (100 px) zooms by e^0.15 ≈ 1.16. */
const WHEEL_ZOOM = 0.0015;
const KEY_ZOOM = 1.25;
const KEY_PAN = 0.1;
const MIN_SPAN_ROWS = 10;

async function compileRaster(device: GPUDevice): Promise<GPUShaderModule> {
  const module = device.createShaderModule({ label: 'raster.wgsl', code: rasterWgsl });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    const text = errors.map((m) => `raster.wgsl:${m.lineNum}:${m.linePos}: ${m.message}`).join('\n');
    throw new GpuDeviceError(`WGSL errors in shaders/app/raster.wgsl:\n${text}`);
  }
  return module;
}

function createPipeline(device: GPUDevice, module: GPUShaderModule, layout: GPUPipelineLayout, format: GPUTextureFormat): Promise<GPURenderPipeline> {
  const perSpike = (shaderLocation: number): GPUVertexBufferLayout => ({
    arrayStride: 4,
    stepMode: 'instance',
    attributes: [{ shaderLocation, offset: 0, format: 'float32' }],
  });
  return device.createRenderPipelineAsync({
    label: `raster (${format})`,
    layout,
    vertex: { module, entryPoint: 'vs', buffers: [perSpike(0), perSpike(1)] },
    fragment: {
      module,
      entryPoint: 'fs',
      targets: [
        {
          format,
          // Translucent marks let dense bursts read darker than isolated spikes.
          blend: {
            color: { srcFactor: 'src-alpha', dstFactor: 'one-minus-src-alpha', operation: 'add' },
            alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
          },
        },
      ],
    },
    primitive: { topology: 'triangle-strip' },
  });
}

export class SpikeRaster {
  private count = 0;
  private capacity = 0;
  private timeBuffer: GPUBuffer | null = null;
  private rowBuffer: GPUBuffer | null = null;
  private limits: ViewLimits = { duration: 1, rows: 1, minSpanT: 1e-4, minSpanR: 1 };
  private current: View = fullView(1, 1);
  private readonly uniforms = new Float32Array(UNIFORM_FLOATS);
  private readonly uniformBuffer: GPUBuffer;
  private readonly bindGroup: GPUBindGroup;
  private exportPipeline: Promise<GPURenderPipeline> | null = null;
  private frame = 0;
  private destroyed = false;
  private readonly listeners = new AbortController();
  private readonly resizeObserver: ResizeObserver;
  private readonly background: GPUColorDict;
  private readonly onError: (error: Error) => void;
  private readonly onView: ((view: View) => void) | undefined;

  private constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly gpu: GpuContext,
    private readonly context: GPUCanvasContext,
    private readonly format: GPUTextureFormat,
    private readonly module: GPUShaderModule,
    private readonly layout: GPUPipelineLayout,
    private readonly pipeline: GPURenderPipeline,
    options: SpikeRasterOptions,
  ) {
    const device = gpu.device;
    const [r, g, b] = options.background ?? [1, 1, 1, 1];
    this.background = { r, g, b, a: 1 };
    this.uniforms.set(options.color ?? [0.1, 0.2, 0.5, 0.85], 20);
    this.onError = options.onError ?? ((e) => console.error(e));
    this.onView = options.onView;
    this.uniformBuffer = device.createBuffer({ label: 'raster uniforms', size: UNIFORM_FLOATS * 4, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.bindGroup = device.createBindGroup({
      label: 'raster',
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: this.uniformBuffer } }],
    });
    this.resizeObserver = new ResizeObserver((entries) => this.onResize(entries));
    try {
      this.resizeObserver.observe(canvas, { box: 'device-pixel-content-box' });
    } catch {
      this.resizeObserver.observe(canvas); // browsers without device-pixel boxes (Safari)
    }
    this.resize(canvas.clientWidth * devicePixelRatio, canvas.clientHeight * devicePixelRatio);
    this.listen();
  }

  static async create(canvas: HTMLCanvasElement, gpu: GpuContext, options: SpikeRasterOptions = {}): Promise<SpikeRaster> {
    const context = canvas.getContext('webgpu');
    if (!context) throw new GpuDeviceError('This canvas cannot give a WebGPU context (it may already hold a 2D or WebGL one).');
    const { device } = gpu;
    const format = navigator.gpu.getPreferredCanvasFormat();
    return gpu.checked('creating the spike raster', async () => {
      context.configure({ device, format, alphaMode: 'opaque' });
      const module = await compileRaster(device);
      // One explicit layout, so the bind group also fits the export pipeline ('auto' layouts
      // are never shared between pipelines).
      const group = device.createBindGroupLayout({
        label: 'raster',
        entries: [{ binding: 0, visibility: GPUShaderStage.VERTEX | GPUShaderStage.FRAGMENT, buffer: { type: 'uniform' } }],
      });
      const layout = device.createPipelineLayout({ label: 'raster', bindGroupLayouts: [group] });
      const pipeline = await createPipeline(device, module, layout, format);
      return new SpikeRaster(canvas, gpu, context, format, module, layout, pipeline, options);
    });
  }

  get spikeCount(): number {
    return this.count;
  }

  get view(): View {
    return { ...this.current };
  }

  set view(v: View) {
    this.current = clampView(v, this.limits);
    this.scheduleRender();
  }

  resetView(): void {
    this.view = fullView(this.limits.duration, this.limits.rows);
  }

  setData(data: RasterData): void {
    const n = data.time.length;
    if (data.row.length !== n) throw new RangeError(`SpikeRaster.setData: ${n} spike times but ${data.row.length} rows`);
    if (!(data.duration > 0) || !(data.rows >= 1)) {
      throw new RangeError(`SpikeRaster.setData: needs duration > 0 and rows ≥ 1, got ${data.duration} s and ${data.rows} rows`);
    }
    const maxBytes = this.gpu.device.limits.maxBufferSize;
    const maxSpikes = Math.floor(maxBytes / 4);
    if (n > maxSpikes) {
      throw new Error(
        `The raster has ${n} spikes; this GPU holds at most ${maxSpikes} in one vertex buffer ` +
          `(maxBufferSize ${maxBytes} bytes, 4 bytes per spike). Record fewer neurons or a shorter run.`,
      );
    }
    // Float32 spike times are 2⁻²³·duration apart late in the run: zooming much closer only shows rounding.
    const minSpanT = Math.max(data.dt !== undefined ? 10 * data.dt : data.duration * 1e-4, data.duration * 2 ** -16);
    this.limits = { duration: data.duration, rows: data.rows, minSpanT, minSpanR: MIN_SPAN_ROWS };
    this.current = fullView(data.duration, data.rows);
    void this.gpu
      .checked(`uploading ${n} spikes to the raster`, () => this.upload(data.time, data.row, maxSpikes))
      .catch((e: unknown) => this.onError(e instanceof Error ? e : new Error(String(e))));
    this.scheduleRender();
  }

  render(): void {
    if (this.destroyed) return;
    // Not wrapped in gpu.checked: an error scope per frame would cost more than the frame, and
    // uncaptured errors still reach gpu.assertHealthy().
    this.writeUniforms(this.canvas.width, this.canvas.height);
    const encoder = this.gpu.device.createCommandEncoder({ label: 'raster frame' });
    this.encodePass(encoder, this.context.getCurrentTexture().createView(), this.pipeline);
    this.gpu.device.queue.submit([encoder.finish()]);
  }

  /** Renders the current view into an offscreen texture of the canvas's size and reads it back as RGBA8 (for PNG export and tests). */
  async toImageData(): Promise<ImageData> {
    const { device } = this.gpu;
    const { width, height } = this.canvas;
    this.exportPipeline ??=
      this.format === EXPORT_FORMAT
        ? Promise.resolve(this.pipeline)
        : this.gpu.checked('creating the raster export pipeline', () => createPipeline(device, this.module, this.layout, EXPORT_FORMAT));
    const pipeline = await this.exportPipeline.catch((e: unknown) => {
      this.exportPipeline = null; // let a later export try again rather than fail forever
      throw e;
    });
    return this.gpu.checked('reading the raster back', async () => {
      // copyTextureToBuffer wants rows of a multiple of 256 bytes.
      const bytesPerRow = Math.ceil((width * 4) / 256) * 256;
      const texture = device.createTexture({
        label: 'raster export',
        size: [width, height],
        format: EXPORT_FORMAT,
        usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC,
      });
      const buffer = device.createBuffer({ label: 'raster readback', size: bytesPerRow * height, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
      try {
        this.writeUniforms(width, height);
        const encoder = device.createCommandEncoder({ label: 'raster export' });
        this.encodePass(encoder, texture.createView(), pipeline);
        encoder.copyTextureToBuffer({ texture }, { buffer, bytesPerRow, rowsPerImage: height }, [width, height]);
        device.queue.submit([encoder.finish()]);
        await buffer.mapAsync(GPUMapMode.READ);
        const padded = new Uint8Array(buffer.getMappedRange());
        const pixels = new Uint8ClampedArray(width * height * 4);
        for (let y = 0; y < height; y++) pixels.set(padded.subarray(y * bytesPerRow, y * bytesPerRow + width * 4), y * width * 4);
        buffer.unmap();
        return new ImageData(pixels, width, height);
      } finally {
        texture.destroy();
        buffer.destroy();
      }
    });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.listeners.abort();
    this.resizeObserver.disconnect();
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.timeBuffer?.destroy();
    this.rowBuffer?.destroy();
    this.uniformBuffer.destroy();
    this.context.unconfigure();
  }

  private upload(time: Float32Array, row: Float32Array, maxSpikes: number): void {
    const n = time.length;
    if (n > this.capacity) {
      // Grow geometrically so that a raster refreshed during a run does not reallocate every time.
      this.capacity = Math.min(maxSpikes, Math.max(n, Math.ceil(this.capacity * 1.5), 1024));
      this.timeBuffer?.destroy();
      this.rowBuffer?.destroy();
      const usage = GPUBufferUsage.VERTEX | GPUBufferUsage.COPY_DST;
      this.timeBuffer = this.gpu.device.createBuffer({ label: 'raster spike times', size: this.capacity * 4, usage });
      this.rowBuffer = this.gpu.device.createBuffer({ label: 'raster spike rows', size: this.capacity * 4, usage });
    }
    if (n > 0) {
      const { queue } = this.gpu.device;
      queue.writeBuffer(this.timeBuffer!, 0, time.buffer, time.byteOffset, n * 4);
      queue.writeBuffer(this.rowBuffer!, 0, row.buffer, row.byteOffset, n * 4);
    }
    this.count = n;
  }

  private writeUniforms(widthPx: number, heightPx: number): void {
    const v = this.current;
    // The shader subtracts this origin in float32 before the matrix; it must be the float32 value itself.
    const origin = { t: Math.fround(v.t0), r: Math.fround(v.r0) };
    this.uniforms.set(viewMatrix(v, origin), 0);
    this.uniforms.set([origin.t, origin.r], 16);
    this.uniforms.set(markHalfSize(v, widthPx, heightPx, Math.max(1, devicePixelRatio)), 18);
    this.gpu.device.queue.writeBuffer(this.uniformBuffer, 0, this.uniforms);
  }

  private encodePass(encoder: GPUCommandEncoder, view: GPUTextureView, pipeline: GPURenderPipeline): void {
    const pass = encoder.beginRenderPass({
      label: 'raster',
      colorAttachments: [{ view, clearValue: this.background, loadOp: 'clear', storeOp: 'store' }],
    });
    if (this.count > 0 && this.timeBuffer && this.rowBuffer) {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, this.bindGroup);
      pass.setVertexBuffer(0, this.timeBuffer, 0, this.count * 4);
      pass.setVertexBuffer(1, this.rowBuffer, 0, this.count * 4);
      pass.draw(4, this.count);
    }
    pass.end();
  }

  /** Coalesces any number of view changes into one render per animation frame. */
  private scheduleRender(): void {
    if (this.frame !== 0 || this.destroyed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
      this.onView?.(this.view);
    });
  }

  private resize(width: number, height: number): void {
    const max = this.gpu.device.limits.maxTextureDimension2D;
    const w = Math.min(max, Math.max(1, Math.round(width)));
    const h = Math.min(max, Math.max(1, Math.round(height)));
    if (w === this.canvas.width && h === this.canvas.height) return;
    this.canvas.width = w;
    this.canvas.height = h;
    this.scheduleRender();
  }

  private onResize(entries: ResizeObserverEntry[]): void {
    const entry = entries[entries.length - 1];
    const box = entry?.devicePixelContentBoxSize?.[0];
    if (box) this.resize(box.inlineSize, box.blockSize);
    else this.resize(this.canvas.clientWidth * devicePixelRatio, this.canvas.clientHeight * devicePixelRatio);
  }

  private update(v: View): void {
    this.current = v;
    this.scheduleRender();
  }

  private listen(): void {
    const canvas = this.canvas;
    const opts = { signal: this.listeners.signal };
    if (canvas.tabIndex < 0) canvas.tabIndex = 0;
    canvas.style.touchAction = 'none'; // let drags pan the raster rather than scroll the page
    const fraction = (e: MouseEvent): [number, number] => {
      const rect = canvas.getBoundingClientRect();
      return [(e.clientX - rect.left) / Math.max(rect.width, 1), (e.clientY - rect.top) / Math.max(rect.height, 1)];
    };

    canvas.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault(); // also stops ctrl+wheel (pinch) from zooming the page
        const unit = e.deltaMode === WheelEvent.DOM_DELTA_LINE ? 16 : e.deltaMode === WheelEvent.DOM_DELTA_PAGE ? canvas.clientHeight : 1;
        // Some browsers turn shift+wheel into horizontal scrolling: take whichever delta is set.
        const delta = (e.deltaY !== 0 ? e.deltaY : e.deltaX) * unit;
        const k = Math.exp(-delta * WHEEL_ZOOM);
        const [fx, fy] = fraction(e);
        const rows = e.shiftKey || e.ctrlKey;
        this.update(zoomAt(this.current, fx, fy, rows ? 1 : k, rows ? k : 1, this.limits));
      },
      { ...opts, passive: false },
    );

    let drag: { id: number; x: number; y: number } | null = null;
    canvas.addEventListener(
      'pointerdown',
      (e) => {
        if (e.button !== 0) return;
        canvas.setPointerCapture(e.pointerId);
        drag = { id: e.pointerId, x: e.clientX, y: e.clientY };
      },
      opts,
    );
    canvas.addEventListener(
      'pointermove',
      (e) => {
        if (!drag || e.pointerId !== drag.id) return;
        const rect = canvas.getBoundingClientRect();
        // The data follow the pointer, so the view moves the other way.
        const dx = -(e.clientX - drag.x) / Math.max(rect.width, 1);
        const dy = -(e.clientY - drag.y) / Math.max(rect.height, 1);
        drag.x = e.clientX;
        drag.y = e.clientY;
        this.update(panBy(this.current, dx, dy, this.limits));
      },
      opts,
    );
    const endDrag = (e: PointerEvent): void => {
      if (drag && e.pointerId === drag.id) drag = null;
    };
    canvas.addEventListener('pointerup', endDrag, opts);
    canvas.addEventListener('pointercancel', endDrag, opts);
    canvas.addEventListener('dblclick', () => this.resetView(), opts);

    canvas.addEventListener(
      'keydown',
      (e) => {
        if (e.ctrlKey || e.metaKey || e.altKey) return; // leave browser shortcuts (ctrl + / ctrl 0) alone
        const v = this.current;
        const l = this.limits;
        let next: View | null = null;
        switch (e.key) {
          case '+':
          case '=':
            next = zoomAt(v, 0.5, 0.5, KEY_ZOOM, 1, l);
            break;
          case '-':
          case '_':
            next = zoomAt(v, 0.5, 0.5, 1 / KEY_ZOOM, 1, l);
            break;
          case 'ArrowLeft':
            next = panBy(v, -KEY_PAN, 0, l);
            break;
          case 'ArrowRight':
            next = panBy(v, KEY_PAN, 0, l);
            break;
          case 'ArrowUp':
            next = panBy(v, 0, -KEY_PAN, l);
            break;
          case 'ArrowDown':
            next = panBy(v, 0, KEY_PAN, l);
            break;
          case '0':
            next = fullView(l.duration, l.rows);
            break;
          default:
            return;
        }
        e.preventDefault();
        this.update(next);
      },
      opts,
    );
  }
}

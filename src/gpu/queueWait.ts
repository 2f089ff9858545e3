/**
 * Waiting for submitted GPU work without spinning a CPU core. Dawn's Node binding resolves
 * `onSubmittedWorkDone` by polling its instance on every turn of the event loop from the moment
 * the promise is asked for, which keeps one core busy for as long as the GPU works. On a software
 * adapter (llvmpipe), that core is one the shader's threads need (docs/meso-gpu.md, "Cost on a
 * software adapter"). A chunk of steps takes
 * about as long as the previous chunk of the same size, so the wait first sleeps for most of that
 * time, then asks for the promise, which then polls only for the rest.
 */
import type { GpuContext } from './device';

/** The share of the previous chunk's time slept before polling: the rest covers chunks that run faster. */
const SLEEP_SHARE = 0.85;
/** Below this (ms) a sleep costs more than the poll it saves (timers fire no finer than ~1 ms). */
const MIN_SLEEP_MS = 4;

export class QueueWaiter {
  private lastMs = 0;
  private lastWork = 0;

  constructor(private readonly ctx: GpuContext) {}

  /**
   * Submits the command buffers and resolves when the GPU has done them. `work` measures the
   * submission's size (steps × trials, say); the sleep scales the previous submission's time by it.
   */
  async submit(commands: GPUCommandBuffer[], work: number): Promise<void> {
    const started = performance.now();
    this.ctx.device.queue.submit(commands);
    const expected = this.lastWork > 0 ? (this.lastMs * work) / this.lastWork : 0;
    const sleep = SLEEP_SHARE * expected;
    if (sleep >= MIN_SLEEP_MS) await new Promise<void>((resolve) => setTimeout(resolve, sleep));
    await this.ctx.device.queue.onSubmittedWorkDone();
    this.lastMs = performance.now() - started;
    this.lastWork = work;
  }
}

/**
 * The "WebGPU adapter" panel: the adapter's name and the limits mesostp sizes its work by, and
 * the Philox self-test (src/rng/philoxSelfTest.ts) on demand. Results are published for end-to-end tests as
 * `window.__mesostpSelfTest` and as `data-status` on #self-test-result.
 */
import { describeAdapter, KEY_LIMITS, type AdapterSummary, type GpuContext } from '../../gpu/device';
import {
  hex32,
  runPhiloxSelfTest,
  SELF_TEST_BLOCKS,
  SELF_TEST_CASES,
  type SelfTestCheck,
  type SelfTestReport,
  type SelfTestState,
} from '../../rng/philoxSelfTest';
import { byId, errorMessage } from './dom';

declare global {
  interface Window {
    __mesostpSelfTest?: SelfTestState;
  }
}

const integer = new Intl.NumberFormat('en-US');

function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = '';
  for (const u of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  return unit ? `${integer.format(bytes)} (${Number(value.toFixed(1))} ${unit})` : integer.format(bytes);
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

function cell(row: HTMLTableRowElement, text: string, className?: string): void {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
}

export class SelfTestPanel {
  private readonly ui = {
    adapterName: byId<HTMLParagraphElement>('adapter-name'),
    adapterNote: byId<HTMLParagraphElement>('adapter-note'),
    limits: byId<HTMLTableElement>('adapter-limits'),
    scope: byId<HTMLSpanElement>('self-test-scope'),
    result: byId<HTMLParagraphElement>('self-test-result'),
    checks: byId<HTMLTableElement>('self-test-checks'),
    button: byId<HTMLButtonElement>('run-self-test'),
  };
  private running = false;
  private hasAdapter = false;
  private blocked = false;

  /**
   * `gpu` gives the page's device (acquiring it if needed) or throws why there is none;
   * `onBusy` hears when the test starts and ends, since it shares the device with the runs.
   */
  constructor(
    private readonly gpu: () => Promise<GpuContext>,
    private readonly onBusy: (busy: boolean) => void = () => {},
  ) {
    this.ui.scope.textContent = `${SELF_TEST_CASES.length} key/counter sets of ${integer.format(SELF_TEST_BLOCKS)} blocks (${integer.format(4 * SELF_TEST_BLOCKS)} words) each`;
    this.ui.button.addEventListener('click', () => void this.run());
  }

  showAdapter(summary: AdapterSummary | null, reason?: string): void {
    this.ui.adapterName.textContent = summary ? describeAdapter(summary) : `No WebGPU adapter: ${reason ?? ''}`;
    this.ui.adapterNote.hidden = !summary?.software;
    this.ui.adapterNote.textContent = summary?.software ? 'This is a software implementation running on the CPU: its timings are not GPU timings.' : '';
    this.ui.limits.hidden = !summary;
    this.hasAdapter = summary !== null;
    this.updateButton();
    if (!summary) return;
    const body = this.ui.limits.tBodies[0];
    body.replaceChildren();
    for (const name of KEY_LIMITS) {
      const row = body.insertRow();
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = name;
      row.append(th);
      const value = summary.limits[name];
      cell(row, /Size$/.test(name) ? formatBytes(value) : integer.format(value), 'num');
    }
  }

  get busy(): boolean {
    return this.running;
  }

  /** While blocked (a run uses the device) the test cannot be started. */
  setBlocked(blocked: boolean): void {
    this.blocked = blocked;
    this.updateButton();
  }

  private updateButton(): void {
    this.ui.button.disabled = this.running || this.blocked || !this.hasAdapter;
  }

  private setRunning(running: boolean): void {
    this.running = running;
    this.updateButton();
    this.onBusy(running);
  }

  private publish(state: SelfTestState): void {
    window.__mesostpSelfTest = { ...state };
    this.ui.result.dataset.status = state.status;
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.setRunning(true);
    this.ui.checks.tBodies[0].replaceChildren();
    this.ui.result.textContent = 'Running…';
    this.publish({ status: 'running', adapter: null, wordsCompared: 0, mismatches: 0 });
    let ctx: GpuContext;
    try {
      ctx = await this.gpu();
    } catch (error) {
      const message = errorMessage(error);
      this.ui.result.textContent = `Not run: ${message}`;
      this.publish({ status: 'unavailable', adapter: null, wordsCompared: 0, mismatches: 0, error: message });
      this.setRunning(false);
      return;
    }
    const adapter = describeAdapter(ctx.summary);
    let wordsCompared = 0;
    let mismatches = 0;
    try {
      this.ui.checks.hidden = false;
      const report: SelfTestReport = await runPhiloxSelfTest(ctx, {
        onCheck: (check: SelfTestCheck, done) => {
          wordsCompared += check.words;
          mismatches += check.mismatches;
          this.addCheckRow(check);
          this.ui.result.textContent = `Running… ${done.length} of ${2 * SELF_TEST_CASES.length} checks done.`;
          this.publish({ status: 'running', adapter, wordsCompared, mismatches });
        },
      });
      const counts = `${integer.format(report.wordsCompared)} words compared, ${integer.format(report.mismatches)} mismatches`;
      this.ui.result.textContent = `${report.status === 'passed' ? 'Passed' : 'Failed'}: ${counts}, in ${formatMs(report.elapsedMs)}.`;
      this.publish({ status: report.status, adapter, wordsCompared: report.wordsCompared, mismatches: report.mismatches });
    } catch (error) {
      const message = errorMessage(error);
      this.ui.result.textContent = `Failed: ${message}`;
      this.publish({ status: 'failed', adapter, wordsCompared, mismatches, error: message });
    }
    this.setRunning(false);
  }

  private addCheckRow(check: SelfTestCheck): void {
    const row = this.ui.checks.tBodies[0].insertRow();
    cell(row, check.key.map(hex32).join(' '), 'mono');
    cell(row, check.counter.map(hex32).join(' '), 'mono');
    cell(row, check.output);
    cell(row, integer.format(check.words), 'num');
    cell(row, integer.format(check.mismatches), check.mismatches === 0 ? 'num' : 'num bad');
    cell(row, formatMs(check.gpuMs), 'num');
    if (check.firstMismatch) {
      const { index, gpu, cpu } = check.firstMismatch;
      row.title = `first mismatch at word ${index}: GPU ${gpu}, CPU ${cpu}`;
    }
  }
}

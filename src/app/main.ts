/**
 * The browser app's shell: finds a WebGPU adapter, shows it, and runs the Philox self-test
 * (./selfTest.ts) on it. The results are shown in the page and published for end-to-end
 * tests as `window.__mesostpSelfTest` and as `data-status` on #self-test-result.
 */
import { requestBrowserGpu } from '../gpu/browser';
import { describeAdapter, GpuUnavailableError, KEY_LIMITS, type AdapterSummary, type GpuContext } from '../gpu/device';
import {
  hex32,
  runPhiloxSelfTest,
  SELF_TEST_BLOCKS,
  SELF_TEST_CASES,
  type SelfTestCheck,
  type SelfTestReport,
  type SelfTestState,
} from './selfTest';

declare global {
  interface Window {
    __mesostpSelfTest?: SelfTestState;
  }
}

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`mesostp: #${id} is missing from index.html`);
  return node as T;
}

const ui = {
  unavailable: byId<HTMLElement>('unavailable'),
  unavailableMessage: byId<HTMLParagraphElement>('unavailable-message'),
  adapterName: byId<HTMLParagraphElement>('adapter-name'),
  adapterNote: byId<HTMLParagraphElement>('adapter-note'),
  limits: byId<HTMLTableElement>('adapter-limits'),
  scope: byId<HTMLSpanElement>('self-test-scope'),
  result: byId<HTMLParagraphElement>('self-test-result'),
  checks: byId<HTMLTableElement>('self-test-checks'),
  runAgain: byId<HTMLButtonElement>('run-again'),
};

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

function showAdapter(summary: AdapterSummary): void {
  ui.adapterName.textContent = describeAdapter(summary);
  ui.adapterNote.hidden = !summary.software;
  ui.adapterNote.textContent = summary.software
    ? 'This is a software implementation running on the CPU: its timings are not GPU timings.'
    : '';
  const body = ui.limits.tBodies[0];
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
  ui.limits.hidden = false;
}

function addCheckRow(check: SelfTestCheck): void {
  const row = ui.checks.tBodies[0].insertRow();
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

/** Publishes a state for tests (a fresh object each time) and mirrors its status on the result element. */
function publish(state: SelfTestState): void {
  window.__mesostpSelfTest = { ...state };
  ui.result.dataset.status = state.status;
}

function summaryText(report: SelfTestReport): string {
  const counts = `${integer.format(report.wordsCompared)} words compared, ${integer.format(report.mismatches)} mismatches`;
  return `${report.status === 'passed' ? 'Passed' : 'Failed'}: ${counts}, in ${formatMs(report.elapsedMs)}.`;
}

let context: GpuContext | null = null;
let running = false;

/** The context of an earlier run if it is still healthy, or a new one. */
async function acquireGpu(): Promise<GpuContext> {
  if (context) {
    try {
      context.assertHealthy();
      return context;
    } catch {
      context.destroy();
      context = null;
    }
  }
  context = await requestBrowserGpu();
  showAdapter(context.summary);
  return context;
}

async function run(): Promise<void> {
  if (running) return;
  running = true;
  ui.runAgain.disabled = true;
  ui.checks.tBodies[0].replaceChildren();
  ui.checks.hidden = true;
  ui.result.textContent = 'Running…';
  publish({ status: 'running', adapter: context ? describeAdapter(context.summary) : null, wordsCompared: 0, mismatches: 0 });

  let ctx: GpuContext;
  try {
    ctx = await acquireGpu();
    ui.unavailable.hidden = true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unavailable = error instanceof GpuUnavailableError;
    if (unavailable) {
      ui.unavailableMessage.textContent = message;
      ui.unavailable.hidden = false;
      ui.adapterName.textContent = 'No WebGPU adapter.';
      ui.limits.hidden = true;
      ui.adapterNote.hidden = true;
    }
    ui.result.textContent = unavailable ? 'Not run: WebGPU is not available.' : `Failed: ${message}`;
    publish({ status: unavailable ? 'unavailable' : 'failed', adapter: null, wordsCompared: 0, mismatches: 0, error: message });
    finish();
    return;
  }

  const adapter = describeAdapter(ctx.summary);
  let wordsCompared = 0;
  let mismatches = 0;
  try {
    ui.checks.hidden = false;
    const report = await runPhiloxSelfTest(ctx, {
      onCheck: (check, done) => {
        wordsCompared += check.words;
        mismatches += check.mismatches;
        addCheckRow(check);
        ui.result.textContent = `Running… ${done.length} of ${2 * SELF_TEST_CASES.length} checks done.`;
        publish({ status: 'running', adapter, wordsCompared, mismatches });
      },
    });
    ui.result.textContent = summaryText(report);
    publish({ status: report.status, adapter, wordsCompared: report.wordsCompared, mismatches: report.mismatches });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ui.result.textContent = `Failed: ${message}`;
    publish({ status: 'failed', adapter, wordsCompared, mismatches, error: message });
  }
  finish();
}

function finish(): void {
  running = false;
  ui.runAgain.disabled = false;
}

ui.scope.textContent =
  `${SELF_TEST_CASES.length} key/counter sets of ${integer.format(SELF_TEST_BLOCKS)} blocks ` +
  `(${integer.format(4 * SELF_TEST_BLOCKS)} words) each`;
ui.runAgain.addEventListener('click', () => void run());
void run();

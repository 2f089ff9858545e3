/**
 * The browser app: pick or load a scenario, edit it with the CLI's validation, run the micro
 * Monte Carlo on WebGPU beside the population equations, watch the estimates converge, export.
 *
 * For end-to-end tests the page publishes its state as `window.__mesostp` (AppState below) and
 * mirrors the run's status on #run-status's data-status.
 */
import { requestBrowserGpu } from '../gpu/browser';
import { describeAdapter, type GpuContext } from '../gpu/device';
import type { Progress } from '../model/recording';
import type { Scenario } from '../model/scenario';
import type { RunSummary } from '../analysis/summary';
import { ScenarioPanel, type ScenarioCheck } from './ui/scenarioPanel';
import { SelfTestPanel } from './ui/selfTestPanel';
import { FigurePanel } from './ui/figures';
import { renderSummaryTable } from './ui/summaryTable';
import { exportSummary, renderExports } from './ui/exportPanel';
import { RasterPanel } from './ui/rasterPanel';
import { byId, el, errorMessage } from './ui/dom';
import { DEFAULT_PRESET, presetNamed } from './presets';
import { LEVEL_CHOICES, type LevelChoice } from './state/levels';
import { engine, variant } from '../engines';
import { EtaEstimator, formatDuration } from '../io/timeLeft';
import { IDLE, overallFraction, startRun, updateLevel, type LevelState, type RunState } from './state/runState';
import { activityFigure, dwellFigure, inputBandFigure, inputPsdFigure, recurrentPopulations, stpFigure, type Recordings } from './state/plotData';
import { decodeShared, encodeShared } from './state/shareUrl';
import { runLevel, type LevelOutcome } from './run/runLevel';
import { type RunSlot, SavedRuns } from './run/savedRuns';
import { SavedRunsPanel } from './ui/savedRunsPanel';
import { appRunManifest, runKey, type SavedRunInfo, savesBlocks, storageErrorText, tellingError } from './state/savedRuns';
import { formatBlockList } from '../io/blockFormat';
import type { Draft } from '../model/jsonPath';
import {
  isMesoChoice,
  MESO_RUNS_ON,
  MESO_RUNS_ON_PARAM,
  mesoGpuRefusals,
  mesoRunsOnFromQuery,
  type MesoPlacement,
  type MesoRunsOn,
  placeMeso,
  placeText,
} from './state/mesoPlacement';

/** What the page publishes for tests and scripts. */
export interface AppState {
  /** WebGPU: still asking, usable, or not (with the reason). */
  webgpu: 'pending' | 'available' | 'unavailable';
  adapter: string | null;
  webgpuError: string | null;
  scenario: { name: string | null; valid: boolean; errors: { path: string; message: string }[] };
  run: RunState;
  /** Set when a device was lost during a run. */
  deviceLost: string | null;
  /**
   * Runs saved in the browser's storage, block by block (micro levels), so that a reloaded or
   * crashed tab can resume them: where they are kept (pending while the page looks), the last
   * storage problem (no storage at all, a block that could not be saved), and the runs saved,
   * those of the form's scenario first.
   */
  saved: { storage: 'pending' | 'opfs' | 'indexeddb' | 'unavailable'; error: string | null; runs: SavedRunInfo[] };
}

declare global {
  interface Window {
    __mesostp?: AppState;
    /**
     * Developer hooks: `loseDevice()` destroys the page's GPU device, as a driver reset would;
     * `rasterImage()` renders the raster's current view off screen and reads it back (what its
     * PNG export saves; headless browsers do not capture WebGPU canvases in screenshots).
     */
    __mesostpDebug?: { loseDevice(): boolean; rasterImage(): Promise<ImageData | null> };
  }
}

const ui = {
  unavailable: byId<HTMLElement>('unavailable'),
  unavailableMessage: byId<HTMLElement>('unavailable-message'),
  deviceLost: byId<HTMLElement>('device-lost'),
  deviceLostMessage: byId<HTMLElement>('device-lost-message'),
  levels: byId<HTMLFieldSetElement>('levels'),
  mesoRunsOn: byId<HTMLSelectElement>('meso-runs-on'),
  run: byId<HTMLButtonElement>('run'),
  cancel: byId<HTMLButtonElement>('cancel'),
  share: byId<HTMLButtonElement>('share'),
  shareStatus: byId<HTMLElement>('share-status'),
  runStatus: byId<HTMLElement>('run-status'),
  progress: byId<HTMLElement>('progress'),
  summary: byId<HTMLTableElement>('summary-table'),
  figures: byId<HTMLElement>('figures'),
  exportPanel: byId<HTMLElement>('export-panel'),
  exports: byId<HTMLElement>('exports'),
};

const state: AppState = {
  webgpu: 'pending',
  adapter: null,
  webgpuError: null,
  scenario: { name: null, valid: false, errors: [] },
  run: IDLE,
  deviceLost: null,
  saved: { storage: 'pending', error: null, runs: [] },
};

function publish(): void {
  window.__mesostp = structuredClone(state);
  ui.runStatus.dataset.status = state.run.status;
}

// ---- WebGPU ----

let gpu: GpuContext | null = null;
let gpuPending: Promise<GpuContext> | null = null;

/** The page's device: the current one while healthy, else a new one. Throws why there is none. */
async function acquireGpu(): Promise<GpuContext> {
  if (gpu) {
    try {
      gpu.assertHealthy();
      return gpu;
    } catch {
      dropGpu();
    }
  }
  gpuPending ??= requestBrowserGpu().finally(() => (gpuPending = null));
  gpu = await gpuPending;
  state.webgpu = 'available';
  state.adapter = describeAdapter(gpu.summary);
  publish();
  return gpu;
}

function dropGpu(): void {
  raster.detach();
  try {
    gpu?.destroy();
  } catch {
    // A lost device may refuse to be destroyed again; it is gone either way.
  }
  gpu = null;
}

// The self-test and the runs share the page's device, whose error scopes must not interleave:
// one waits for the other.
const selfTest = new SelfTestPanel(acquireGpu, () => refreshControls());
const raster = new RasterPanel(() => (gpu ? gpu : null));

window.__mesostpDebug = {
  loseDevice: () => {
    if (!gpu) return false;
    gpu.device.destroy();
    return true;
  },
  rasterImage: () => raster.image(),
};

async function detectWebGpu(): Promise<void> {
  try {
    const ctx = await acquireGpu();
    selfTest.showAdapter(ctx.summary);
    ui.unavailable.hidden = true;
  } catch (error) {
    const message = errorMessage(error);
    state.webgpu = 'unavailable';
    state.webgpuError = message;
    ui.unavailableMessage.textContent = message;
    ui.unavailable.hidden = false;
    selfTest.showAdapter(null, message);
    for (const choice of LEVEL_CHOICES.filter(needsGpu)) {
      const box = levelBox(choice);
      box.checked = false;
      box.disabled = true;
    }
  }
  renderSaved();
  refreshControls();
  publish();
}

// ---- levels ----

const levelBoxes = new Map<LevelChoice, HTMLInputElement>();
for (const choice of LEVEL_CHOICES) {
  const box = el('input', { type: 'checkbox', id: `level-${choice}`, value: choice, checked: choice === 'micro-gpu' || choice === 'meso-age' });
  box.addEventListener('change', () => {
    renderSaved();
    refreshControls();
  });
  levelBoxes.set(choice, box);
  ui.levels.append(
    el(
      'label',
      { class: 'check', for: `level-${choice}` },
      box,
      ` ${variant(choice).label}`,
      el('span', { class: 'swatch', style: `background:${variant(choice).color}` }),
    ),
  );
}
/** Levels whose engine runs on the page's WebGPU device. */
function needsGpu(choice: LevelChoice): boolean {
  return engine(variant(choice).engine).capabilities.gpu;
}
function levelBox(choice: LevelChoice): HTMLInputElement {
  return levelBoxes.get(choice)!;
}
function chosenLevels(): LevelChoice[] {
  return LEVEL_CHOICES.filter((c) => levelBox(c).checked && !levelBox(c).disabled);
}

// ---- where meso runs ----

ui.mesoRunsOn.replaceChildren(...MESO_RUNS_ON.map((o) => el('option', { value: o.value, text: o.label })));
ui.mesoRunsOn.value = mesoRunsOnFromQuery(location.search);
// The setting lives in the address (?meso=gpu), so that a reload keeps it and a test can set it.
ui.mesoRunsOn.addEventListener('change', () => {
  const address = new URL(location.href);
  if (ui.mesoRunsOn.value === 'auto') address.searchParams.delete(MESO_RUNS_ON_PARAM);
  else address.searchParams.set(MESO_RUNS_ON_PARAM, ui.mesoRunsOn.value);
  history.replaceState(null, '', address);
});

/** Where a meso level runs: the setting, the page's device (asked for unless the setting is the worker) and what meso-gpu models. */
async function placeMesoRun(choice: LevelChoice, scenario: Scenario): Promise<MesoPlacement> {
  const setting = ui.mesoRunsOn.value as MesoRunsOn;
  const device = setting === 'worker' ? null : await acquireGpu().catch(() => null);
  return placeMeso({ setting, hasDevice: device !== null, software: device?.summary.software ?? false, unsupported: mesoGpuRefusals(choice, scenario) });
}

/**
 * The runs on the page's device take turns: GpuContext.checked brackets each step of an engine
 * with the device's error scopes, and two engines interleaving theirs would pop each other's
 * and blame one run for the other's error. The workers run beside them.
 */
let gpuTurn: Promise<void> = Promise.resolve();
function takeGpuTurn(): Promise<() => void> {
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const before = gpuTurn;
  gpuTurn = before.then(() => mine);
  return before.then(() => release);
}

// ---- scenario ----

const panel = new ScenarioPanel(
  {
    preset: byId('preset'),
    file: byId('scenario-file'),
    source: byId('scenario-source'),
    description: byId('scenario-description'),
    general: byId('scenario-general'),
    form: byId('scenario-form'),
  },
  (check: ScenarioCheck) => {
    state.scenario = {
      name: typeof check.draft.name === 'string' ? check.draft.name : null,
      valid: check.scenario !== null,
      errors: check.errors.map((e) => ({ ...e })),
    };
    renderSaved();
    refreshControls();
    publish();
  },
);

function refreshControls(): void {
  const running = state.run.status === 'running';
  const valid = panel.current.scenario !== null;
  for (const box of levelBoxes.values()) if (box.id !== 'level-micro-gpu' || state.webgpu !== 'unavailable') box.disabled = running;
  ui.mesoRunsOn.disabled = running;
  ui.run.disabled = running || selfTest.busy || !valid || chosenLevels().length === 0;
  ui.cancel.disabled = !running;
  selfTest.setBlocked(running);
  if (!running && state.run.status === 'idle') {
    const resumes = state.saved.runs.some((r) => r.matchesForm && r.blocked === null && r.choice !== null && chosenLevels().includes(r.choice));
    ui.runStatus.textContent = !valid
      ? 'The scenario has errors (shown next to the fields); fix them to run.'
      : chosenLevels().length === 0
        ? 'Choose at least one level.'
        : resumes
          ? 'Ready: press Run (micro continues from its saved blocks).'
          : 'Ready: press Run.';
  }
}

// ---- saved runs ----

let savedRuns: SavedRuns | null = null;
/** The saved runs as last listed (matchesForm is set by renderSaved). */
let savedList: SavedRunInfo[] = [];
/** Why runs cannot be saved in this browser at all, or null. */
let noStorage: string | null = null;

const savedPanel = new SavedRunsPanel(byId('saved-runs'), byId('storage-status'), {
  resume: (key) => void resumeSaved(key),
  discard: (key) => void discardSaved(key),
});

/** The storage problem to show (a failed save, else no storage at all). */
function setStorageError(message: string | null): void {
  state.saved.error = message ?? noStorage;
  savedPanel.showStatus(state.saved.error);
  publish();
}

/** Opens the browser's storage (OPFS, else IndexedDB) and lists what an earlier session saved. */
async function openStorage(): Promise<void> {
  try {
    savedRuns = await SavedRuns.open();
  } catch (error) {
    noStorage = `Runs are not saved in this browser, so a reload or crash loses a run in progress (${errorMessage(error)}).`;
  }
  await refreshSaved();
  // Pending until the saved runs are listed: then what is published is what the browser holds.
  state.saved.storage = savedRuns ? savedRuns.kind : 'unavailable';
  setStorageError(state.saved.error);
}

async function refreshSaved(): Promise<void> {
  if (savedRuns) {
    try {
      savedList = await savedRuns.list();
    } catch (error) {
      setStorageError(`The saved runs could not be read: ${errorMessage(error)}`);
    }
  }
  renderSaved();
  refreshControls();
  publish();
}

/** The storage keys of the runs the form's scenario makes at each level that saves blocks. */
function formKeys(): Map<string, LevelChoice> {
  const scenario = panel.current.scenario;
  const out = new Map<string, LevelChoice>();
  if (!scenario) return out;
  for (const c of LEVEL_CHOICES.filter(savesBlocks)) out.set(runKey(appRunManifest(scenario, c)), c);
  return out;
}

/** Publishes and shows the saved runs, the form's first; hidden while a run is going. */
function renderSaved(): void {
  const keys = formKeys();
  const runs = savedList.map((r) => ({
    ...r,
    matchesForm: keys.has(r.key),
    blocked: r.blocked ?? (r.choice && needsGpu(r.choice) && state.webgpu === 'unavailable' ? 'this browser has no WebGPU' : null),
  }));
  runs.sort((a, b) => Number(b.matchesForm) - Number(a.matchesForm));
  state.saved.runs = runs;
  const running = state.run.status === 'running';
  savedPanel.show(running ? [] : runs, { busy: running, adapter: state.adapter });
}

/** Resume: the saved run's scenario and levels in the form (when they are not there already), then Run, which takes the saved blocks. */
async function resumeSaved(key: string): Promise<void> {
  const run = state.saved.runs.find((r) => r.key === key);
  if (!run || !savedRuns || run.choice === null || state.run.status === 'running') return;
  if (!run.matchesForm) {
    const app = await savedRuns.appOf(key).catch(() => null);
    if (!app) {
      setStorageError(`The scenario of the saved run “${run.scenario}” could not be read back; Discard it.`);
      return;
    }
    panel.load(structuredClone(app.draft), `Saved run of ${run.scenario}`);
    for (const [c, box] of levelBoxes) if (!box.disabled) box.checked = app.levels.includes(c) || c === app.choice;
    if (!formKeys().has(key)) {
      setStorageError(`The saved run of “${run.scenario}” no longer makes the same run in this page (its scenario validates differently); Discard it.`);
      return;
    }
  }
  levelBox(run.choice).checked = true;
  renderSaved();
  refreshControls();
  await runAll();
}

async function discardSaved(key: string): Promise<void> {
  if (!savedRuns || state.run.status === 'running') return;
  try {
    await savedRuns.discard(key);
  } catch (error) {
    setStorageError(`The saved run could not be discarded: ${errorMessage(error)}`);
  }
  await refreshSaved();
}

// ---- figures ----

let recordings: Recordings = {};
let lastScenario: Scenario | null = null;

const inputSelect = el('select', { id: 'input-population', 'aria-label': 'population whose input is shown' });
const dwellHigh = el('input', { id: 'dwell-high', type: 'number', value: '12', step: 'any', 'aria-label': 'enter Up above (Hz)' });
const dwellLow = el('input', { id: 'dwell-low', type: 'number', value: '6', step: 'any', 'aria-label': 'leave Up below (Hz)' });
const prefix = () => (lastScenario ? lastScenario.name : 'mesostp');
const figures = {
  input: new FigurePanel('input', prefix, [el('label', {}, 'population ', inputSelect)]),
  psd: new FigurePanel('psd', prefix),
  activity: new FigurePanel('activity', prefix),
  stp: new FigurePanel('stp', prefix),
  dwell: new FigurePanel('dwell', prefix, [el('label', {}, 'Up above ', dwellHigh, ' Hz'), el('label', {}, ' Down below ', dwellLow, ' Hz')]),
};
ui.figures.append(...Object.values(figures).map((f) => f.root));
for (const c of [inputSelect, dwellHigh, dwellLow]) c.addEventListener('change', () => drawFigures());

let drawQueued = false;
let figuresStale = false;
/**
 * Redraws the progress, and the figures when results changed (`results`), at most once per
 * frame however often progress and results arrive: the figures cost trial statistics and FFTs
 * over every trial, which progress alone does not change.
 */
function scheduleDraw(results = false): void {
  figuresStale ||= results;
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    if (figuresStale) drawFigures();
    figuresStale = false;
    renderProgress();
  });
}

function drawFigures(): void {
  const recs = recordings;
  const any = Object.values(recs)[0];
  if (!any) {
    for (const f of Object.values(figures)) f.show(null);
    return;
  }
  const inputPops = [...new Set(Object.values(recs).flatMap((r) => Object.keys(r!.inputs)))];
  if (inputSelect.options.length !== inputPops.length || inputPops.some((p, i) => inputSelect.options[i].value !== p)) {
    const keep = inputSelect.value;
    inputSelect.replaceChildren(...inputPops.map((p) => el('option', { value: p, text: p })));
    if (inputPops.includes(keep)) inputSelect.value = keep;
  }
  const pop = inputSelect.value;
  figures.input.show(pop ? inputBandFigure(recs, pop) : null);
  figures.psd.show(pop ? inputPsdFigure(recs, pop) : null);
  figures.activity.show(activityFigure(recs));
  figures.stp.show(stpFigure(recs));
  const recurrent = recurrentPopulations(any);
  const high = Number(dwellHigh.value);
  const low = Number(dwellLow.value);
  if (recurrent.length > 0 && high > low) {
    const smoothBins = Math.max(1, Math.round(0.05 / any.binSize));
    const skipBins = Math.round(0.1 * any.bins);
    figures.dwell.show(dwellFigure(recs, recurrent[0], { high, low, smoothBins, skipBins }));
  } else figures.dwell.show(null);
}

// ---- running ----

let controller: AbortController | null = null;

function renderProgress(): void {
  const rows = (Object.entries(state.run.levels) as [LevelChoice, RunState['levels'][LevelChoice]][]).map(([choice, s]) => {
    const pct = `${(100 * s!.fraction).toFixed(0)} %`;
    const eta =
      s!.status === 'running'
        ? s!.etaSeconds === null
          ? 'estimating…'
          : `${formatDuration(s!.etaSeconds)} left`
        : s!.status === 'queued'
          ? 'waits for the GPU'
          : s!.status;
    const runsOn = s!.runsOn;
    return el(
      'div',
      { class: `level-progress ${s!.status}`, 'data-level': choice, 'data-status': s!.status },
      el('span', { class: 'name', text: variant(choice).label }),
      el('progress', { max: '1', value: String(s!.fraction), 'aria-label': `${variant(choice).label} progress` }),
      el('span', { class: 'pct', text: pct }),
      el('span', { class: 'eta', text: eta }),
      s!.blocks ? el('span', { class: 'blocks note', text: blocksText(s!.blocks) }) : '',
      s!.error ? el('p', { class: 'level-error', text: s!.error }) : '',
      runsOn ? el('p', { class: `runs-on note${runsOn.fellBack ? ' fell-back' : ''}`, 'data-runs-on': runsOn.where, text: runsOnText(runsOn) }) : '',
    );
  });
  ui.progress.replaceChildren(...rows);
  const r = state.run;
  if (r.status === 'running') ui.runStatus.textContent = `Running… ${(100 * overallFraction(r)).toFixed(0)} %`;
  else if (r.status === 'done') ui.runStatus.textContent = 'Finished.';
  else if (r.status === 'cancelled') ui.runStatus.textContent = 'Cancelled: the results computed so far are kept.';
  else if (r.status === 'failed') ui.runStatus.textContent = 'Finished with errors (see the levels below); completed results are kept.';
}

/** "On WebGPU: the WebGPU adapter is a hardware GPU."; a run the setting wanted on WebGPU says that it did not go there. */
function runsOnText(r: MesoPlacement): string {
  const where = placeText(r.where);
  return `${where[0].toUpperCase()}${where.slice(1)}${r.fellBack ? ', not on WebGPU as set' : ''}: ${r.reason}.`;
}

function blocksText(b: NonNullable<LevelState['blocks']>): string {
  const where = state.saved.storage === 'opfs' || state.saved.storage === 'indexeddb';
  if (!where) return `${b.total} block${b.total === 1 ? '' : 's'} (not saved)`;
  return `${b.saved} of ${b.total} block${b.total === 1 ? '' : 's'} saved${b.resumed > 0 ? ` (${b.resumed} from before)` : ''}`;
}

function setLevel(choice: LevelChoice, change: Parameters<typeof updateLevel>[2]): void {
  state.run = updateLevel(state.run, choice, change);
  publish();
  scheduleDraw();
}

/** The slot of a level that saves its blocks, or null (no storage, or it failed: said so). */
async function openSlot(choice: LevelChoice, scenario: Scenario, draft: Draft, levels: LevelChoice[]): Promise<RunSlot | null> {
  if (!savesBlocks(choice)) return null;
  await storageOpened;
  if (!savedRuns) return null;
  try {
    const slot = await savedRuns.slot({ scenario, draft, choice, levels, adapter: state.adapter });
    if (!slot.saving)
      setStorageError(`Another tab of this app is running this same ${variant(choice).label} run: this tab computes it again without saving its blocks.`);
    else if (slot.dropped.length > 0)
      setStorageError(
        `Saved block${slot.dropped.length === 1 ? '' : 's'} ${slot.dropped.join(', ')} failed ${slot.dropped.length === 1 ? 'its' : 'their'} checks and will be computed again.`,
      );
    return slot;
  } catch (error) {
    setStorageError(`${storageErrorText(error, `The ${variant(choice).label} run`)} It runs without saving its blocks.`);
    return null;
  }
}

async function runOne(
  choice: LevelChoice,
  scenario: Scenario,
  draft: Draft,
  levels: LevelChoice[],
  signal: AbortSignal,
): Promise<{ slot: RunSlot | null; complete: boolean }> {
  let mesoOnGpu = false;
  if (isMesoChoice(choice)) {
    const runsOn = await placeMesoRun(choice, scenario);
    mesoOnGpu = runsOn.where === 'gpu';
    setLevel(choice, { runsOn });
  }
  if (!needsGpu(choice) && !mesoOnGpu) return runOnTurn(choice, scenario, draft, levels, signal, null);
  setLevel(choice, { status: 'queued' });
  const release = await takeGpuTurn();
  try {
    setLevel(choice, { status: 'running' });
    let ctx: GpuContext;
    try {
      ctx = await acquireGpu();
    } catch (error) {
      setLevel(choice, { status: 'failed', error: errorMessage(error) });
      return { slot: null, complete: false };
    }
    return await runOnTurn(choice, scenario, draft, levels, signal, ctx, mesoOnGpu);
  } finally {
    release();
  }
}

/** Runs a level once its turn has come: `ctx` is the page's device for the levels that run on it (null for those in a worker). */
async function runOnTurn(
  choice: LevelChoice,
  scenario: Scenario,
  draft: Draft,
  levels: LevelChoice[],
  signal: AbortSignal,
  ctx: GpuContext | null,
  mesoOnGpu = false,
): Promise<{ slot: RunSlot | null; complete: boolean }> {
  const eta = new EtaEstimator();
  const slot = await openSlot(choice, scenario, draft, levels);
  // The blocks that could not be saved, and why.
  const unsaved: number[] = [];
  const saveErrors: unknown[] = [];
  const outcome: LevelOutcome = await runLevel(
    choice,
    scenario,
    ctx,
    {
      signal,
      onProgress: (p: Progress) => setLevel(choice, { fraction: p.fraction, etaSeconds: eta.update(performance.now() / 1000, p.fraction) }),
      onPartial: (r) => {
        recordings = { ...recordings, [choice]: r };
        setLevel(choice, { trialsDone: r.trials });
        scheduleDraw(true);
      },
    },
    {
      slot,
      onBlocks: (blocks) => setLevel(choice, { blocks }),
      onSaveError: (k, error) => {
        unsaved.push(k);
        saveErrors.push(error);
        const what = `${unsaved.length === 1 ? 'Block' : 'Blocks'} ${formatBlockList(unsaved)} of the ${variant(choice).label} run`;
        setStorageError(storageErrorText(tellingError(saveErrors), what, { blocks: unsaved.length }));
      },
    },
    mesoOnGpu,
  );
  if (outcome.recording) {
    recordings = { ...recordings, [choice]: outcome.recording };
    scheduleDraw(true);
  }
  if (outcome.deviceLost) {
    state.deviceLost = outcome.error ?? 'the device was lost';
    ui.deviceLostMessage.textContent = `${outcome.error} ${outcome.recording ? `${outcome.recording.trials} of ${scenario.run.trials} trials had completed.` : 'No trial had completed.'}`;
    ui.deviceLost.hidden = false;
    dropGpu();
  }
  const summary = outcome.recording ? exportSummary(outcome.recording, choice) : undefined;
  const status = outcome.error ? 'failed' : outcome.recording?.cancelled ? 'cancelled' : 'done';
  setLevel(choice, { status, summary, error: outcome.error, etaSeconds: null, ...(status === 'done' ? { fraction: 1 } : {}) });
  return { slot, complete: outcome.complete === true && status === 'done' };
}

async function runAll(): Promise<void> {
  const scenario = panel.current.scenario;
  const draft = structuredClone(panel.current.draft);
  const levels = chosenLevels();
  if (!scenario || levels.length === 0 || state.run.status === 'running') return;
  lastScenario = scenario;
  controller = new AbortController();
  recordings = {};
  raster.clear();
  ui.deviceLost.hidden = true;
  state.deviceLost = null;
  state.run = startRun(levels);
  setStorageError(null);
  renderSaved();
  ui.exportPanel.hidden = true;
  renderSummaryTable(ui.summary, []);
  refreshControls();
  publish();
  scheduleDraw(true);
  const slots = await Promise.all(levels.map((l) => runOne(l, scenario, draft, levels, controller!.signal)));
  controller = null;
  const done = LEVEL_CHOICES.filter((c) => state.run.levels[c]?.summary).map(
    (c) => [c, state.run.levels[c]!.summary!, state.run.levels[c]!.runsOn] as [LevelChoice, RunSummary, MesoPlacement | undefined],
  );
  renderSummaryTable(ui.summary, done);
  const exportable = LEVEL_CHOICES.filter((c) => recordings[c] && state.run.levels[c]?.summary).map((c) => ({
    choice: c,
    recording: recordings[c]!,
    summary: state.run.levels[c]!.summary!,
  }));
  renderExports(ui.exports, exportable);
  ui.exportPanel.hidden = exportable.length === 0;
  // The raster draws on the engine's device, so only once the engine is done with it: the two
  // would otherwise interleave their error scopes on one device.
  if (recordings['micro-gpu'] && gpu) raster.show(recordings['micro-gpu']);
  refreshControls();
  drawFigures();
  renderProgress();
  publish();
  // The result is shown: a completed run's blocks go; a cancelled or failed one's stay, to be resumed.
  for (const { slot, complete } of slots) {
    if (!slot) continue;
    if (!complete) await slot.release();
    else await slot.finish().catch((error) => setStorageError(`The saved blocks of the completed run could not be deleted: ${errorMessage(error)}`));
  }
  await refreshSaved();
}

ui.run.addEventListener('click', () => void runAll());
ui.cancel.addEventListener('click', () => {
  controller?.abort();
  ui.runStatus.textContent = 'Cancelling: each level stops at its next chunk of steps…';
});

// ---- sharing ----

ui.share.addEventListener('click', async () => {
  try {
    const hash = await encodeShared({ scenario: panel.current.draft, levels: chosenLevels() });
    const url = `${location.origin}${location.pathname}${hash}`;
    history.replaceState(null, '', hash);
    ui.shareStatus.hidden = false;
    try {
      await navigator.clipboard.writeText(url);
      ui.shareStatus.textContent = 'Link copied: it restores this scenario and these levels.';
    } catch {
      ui.shareStatus.textContent = 'The address bar now holds a link that restores this scenario and these levels (the clipboard was not available).';
    }
  } catch (error) {
    ui.shareStatus.hidden = false;
    ui.shareStatus.textContent = `Could not make a link: ${errorMessage(error)}`;
  }
});

async function openFromUrl(): Promise<void> {
  try {
    const shared = await decodeShared(location.hash);
    if (shared) {
      for (const [c, box] of levelBoxes) box.checked = shared.levels.includes(c);
      panel.load(shared.scenario, 'Shared link');
      return;
    }
  } catch (error) {
    panel.load(structuredClone(presetNamed(DEFAULT_PRESET)!.json), `Preset ${DEFAULT_PRESET} (${errorMessage(error)})`);
    return;
  }
  panel.load(structuredClone(presetNamed(DEFAULT_PRESET)!.json), `Preset ${DEFAULT_PRESET}`);
}

publish();
// The saved runs are listed while the scenario loads and WebGPU is asked for; a run waits for the list.
const storageOpened = openStorage();
void openFromUrl().then(() => detectWebGpu());

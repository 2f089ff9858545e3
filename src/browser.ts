/// <reference types="@webgpu/types" preserve="true" />
/**
 * mesostp as a library, for the browser (the package's `browser` export and `mesostp/browser`):
 * everything of the Node entry (./index.ts) except what needs Node (Dawn, worker threads,
 * files). docs/api.md describes it with examples. What is exported here is the public API:
 * the rest of src/ is internal.
 */

// Running a scenario at any level.
export { run, AVAILABLE_LEVELS, type FullRunOptions } from './run';
export type { Level, Progress, Recording, RecordingStats, RunOptions, Samples, InputRecording, SpikeRecording } from './model/recording';
export { projectionName, requireEveryTrial, stepCount, stepsPerBin, TrialsNotKeptError } from './model/recording';
export { mergeRecordings } from './model/mergeRecordings';

// Statistics across trials (Recording.stats; record.trials 'stats') and the memory a recording needs.
export {
  cutTrialStats,
  meanM2,
  mergeMeanM2,
  mergeTrialStats,
  runAverage,
  statsFromTrials,
  trialVariance,
  type MeanM2,
  type TrialStats,
} from './model/trialStats';
export { keepLeadingTrials, statsFromArrays } from './model/recordingStats';
export { checkRecordingMemory, recordingMemory, RecordingMemoryError, type HostLimit, type RecordingMemory } from './model/recordingMemory';

// The engine registry: engines, variants (engine + options), their options and capabilities.
export * from './engines';

// The scenario: zod schemas, types, validation, description, JSON Schema.
export * from './model/scenario';
export { formatIssue, parseScenario, ScenarioError, validateScenario, type ScenarioIssue, type ValidationResult } from './model/validate';
export { describeScenario } from './model/describe';
export { STP_MODEL_INFO, STP_MODEL_NAMES, stpParamNames, type StpModelInfo, type StpModelName, type StpParamInfo } from './model/stpModels';
export { scenarioJsonSchema } from './model/jsonSchema';

// Analysis of recordings, for a user's own figures.
export { trialCurves, compareCurves, type Comparison, type CurveDistance, type Curves, type Series } from './analysis/trialStatistics';
export { welchPsd, bandPerTrial, type Psd } from './analysis/psd';
export { segmentUpDown, stateActivity, boxcarSmooth, type UpDownOptions, type UpDownPeriod, type UpDownSegmentation } from './analysis/upDown';
export { detectPopulationSpikes, POPULATION_SPIKE_DEFAULTS, type PopulationSpikeOptions, type PopulationSpikes } from './analysis/populationSpikes';
export { ksOneSample, ksTwoSample, type KsResult } from './analysis/kolmogorovSmirnov';
export { meanAndSem, acrossTrialStats, statsMeanAndSd, statsMeanAndSem, summarize, type MeanWithSem, type RunSummary } from './analysis/summary';
export { type FigureOptions, type FigureSeries, type LineFigure, plusMinus, type Spread } from './analysis/figures/lineFigure';
export { interactiveSpec } from './analysis/figures/interaction';
export { renderFigureSvg, renderSpecSvg } from './analysis/figures/renderSvg';
export { lineFigureSpec } from './analysis/figures/vegaLiteSpec';

// NumPy .npy arrays.
export { encodeNpy, decodeNpy, type NpyArray } from './io/npy';
export { recordingArrays, fileStem } from './io/recordingArrays';

// WebGPU.
export { requestBrowserGpu } from './gpu/browser';
export { describeAdapter, GpuDeviceError, GpuUnavailableError, type AdapterSummary, type FeatureLevel, type GpuContext } from './gpu/device';

export { version } from './version';

/** The CPU reference engine (micro level, float64). Step semantics: docs/step-semantics.md. */
export { simulateMicroCpu, simulateMicroCpuAsync, type MicroCpuOptions } from './simulate';
export { mergeRecordings } from './merge';
export { compileNetwork, type Network, type PopulationPlan, type ProjectionPlan } from './network';

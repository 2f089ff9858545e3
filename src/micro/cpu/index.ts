/** The CPU reference engine (micro level, float64). Step semantics: docs/step-semantics.md. */
export { simulateMicroCpu, simulateMicroCpuAsync, type MicroCpuOptions } from './simulate';

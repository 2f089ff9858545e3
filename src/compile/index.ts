/** The compile layer: scenario → what the engines run (docs/architecture.md). Engines import it, never each other. */
export * from './codes';
export * from './stpModels';
export * from './errors';
export * from './support';
export { compilePopulation, poissonSchemes, type CompiledPopulation } from './population';
export { compileFilter, filterPlacement, type CompiledFilter } from './filter';
export {
  compileProjection,
  projectionBasics,
  trialConnectivity,
  type CompileOptions,
  type ProjectionBasics,
  type CompiledProjection,
  type StpPlacement,
} from './projection';
export { compileNetwork, type Network, type NetworkOptions } from './network';
export { buildConnectivity, type Csr } from './connectivity';

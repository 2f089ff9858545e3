/** The engine registry (./registry.ts) and its types (./types.ts). */
export * from './registry';
export type { Capabilities, EngineContext, EngineDef, OptionSpec, OptionValues, VariantDef } from './types';

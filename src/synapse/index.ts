/**
 * Synapse dynamics as pure, allocation-free functions: short-term plasticity (presynaptic) and
 * synaptic filters and receptor gates (postsynaptic). The single source of truth for the CPU
 * engine, the mesoscopic engine and the test oracles (docs/models.md).
 */
export * from './exact';
export * from './stpTsodyksMarkram';
export * from './stpDepression';
export * from './stpThreeState';
export * from './stpRegularTrain';
export * from './stpMoments';
export * from './filters';
export * from './cascade';
export * from './conductancePulse';
export * from './kineticReceptor';

/** The mesoscopic and macroscopic engines: population equations with the STP mean-field (docs/meso.md). */
export { compileMesoNetwork, type MesoNetwork } from './network';
export { simulateMeso, simulateMesoAsync, type MesoLevel, type MesoOptions } from './simulate';
export { MesoPopulation } from './population';
export { STP_MEAN_FIELD_DEFAULT, StpMeanField, effectiveStp, type StpMeanFieldOrder } from './stpMeanField';
export { PhiloxUniforms, sampleBinomial, lnFactorial } from './binomial';

export { simulateMesoGpu, type MesoGpuOptions } from './simulate';

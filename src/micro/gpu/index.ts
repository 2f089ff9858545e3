export { simulateMicroGpu, type MicroGpuOptions } from './simulate';
export { MicroGpuUnsupportedError } from './plan';
export { fixedPointFor, FIXED_POINT_RANGE } from './ringFixedPoint';

export * from './scenario';
export * from './validate';
export * from './recording';

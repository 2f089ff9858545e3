export * from './scenario';
export * from './validate';
export * from './recording';
export * from './describe';

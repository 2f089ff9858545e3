export * from './scenario';
export * from './validate';
export * from './recording';
export * from './describe';
export * from './mergeRecordings';
export * from './jsonPath';
export * from './stpModels';
export * from './jsonSchema';

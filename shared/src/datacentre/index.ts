export * from './contracts';
export * from './personal-scan';

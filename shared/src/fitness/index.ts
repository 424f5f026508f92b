export * from './engine';
export * as GTB2003Adult from './gtb2003-adult.data';

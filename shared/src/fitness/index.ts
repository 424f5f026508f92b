export * from './engine';
export * as GTB2003Adult from './gtb2003-adult.data';
export { GTB2003_TITLE } from './gtb2003-adult.data';

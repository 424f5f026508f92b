import { IS_H5 } from '../api/config';
import { KEYS, readString, write } from './storage';
import { createStore, useStore } from './store';

/**
 * 关怀模式 (elderly mode): larger fonts and touch targets everywhere. Pages wrap their content in
 * <Screen>, which adds the `elder` class; app.scss scales the CSS variables under it.
 */
export const elderStore = createStore<boolean>(readString(KEYS.elder) === '1');

function applyRootClass(on: boolean): void {
  // h5 only: lets global chrome outside the pages (the tab bar) follow the switch too
  if (IS_H5 && typeof document !== 'undefined') {
    document.documentElement.classList.toggle('cs-elder', on);
  }
}

applyRootClass(elderStore.get());

export function setElderMode(on: boolean): void {
  write(KEYS.elder, on ? '1' : null);
  elderStore.set(on);
  applyRootClass(on);
}

export function useElderMode(): boolean {
  return useStore(elderStore, (s) => s);
}

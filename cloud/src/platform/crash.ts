/**
 * Injected failures for the crash-safety tests (tests only). A kernel built with `crashAt`
 * throws an InjectedCrash at the named point, which stands for the process dying there: code
 * that cleans up after ordinary failures lets it pass untouched (see `isInjectedCrash`), so
 * what is left in the database is exactly what a real crash would leave for the sweepers.
 */
export class InjectedCrash extends Error {
  constructor(readonly point: string) {
    super(`injected crash at ${point}`);
  }
}

export function isInjectedCrash(err: unknown): err is InjectedCrash {
  return err instanceof InjectedCrash;
}

/** Called at each named point of a multi-step write; throws when the test asked to crash there. */
export type CrashPoint = (point: string) => void;

export const noCrashes: CrashPoint = () => {};

/**
 * A named point where a race test can hold one request while another runs (tests only): it
 * answers a promise to wait for while the test holds the point, and nothing otherwise, so
 * production code pays one check and no await.
 */
export type PausePoint = (point: string) => Promise<void> | undefined;

export const noPauses: PausePoint = () => undefined;

/** Types of tests/support/preflight.js (plain CommonJS so that it starts without tsx). */
export interface Facts {
  chromiumPath: string;
  /** CHROMIUM_PATH was set (then a missing browser is a setting to fix, not a package to install) */
  chromiumFromEnv: boolean;
  chromiumPresent: boolean;
  cjkFontPresent: boolean;
  /** no MONGODB_URI and no MONGOMS_SYSTEM_BINARY: the tests run the embedded engine on Java */
  needsEngine: boolean;
  javaCmd: string;
  javaFromEnv: boolean;
  /** major version of `java -version`, null when it does not run (or the engine is not needed) */
  javaMajor: number | null;
  mavenPresent: boolean;
  isRoot: boolean;
  aptGet: boolean;
  sudo: boolean;
}

export type Decision = { kind: 'ok' } | { kind: 'install'; packages: string[]; commands: string[][] } | { kind: 'stop'; message: string };

export function gatherFacts(env?: NodeJS.ProcessEnv): Facts;
export function decide(facts: Facts): Decision;
export function installCommand(facts: Facts, packages: string[]): string;
export const PACKAGES: { chromium: string; cjkFont: string; java: string; maven: string };
export const DEFAULT_CHROMIUM: string;

/** jest projects: fidelity (engine guarantees, runs first), unit, api (HTTP against a real engine), e2e (h5 build in Chromium). */
// jose ships ESM only; jest (on Node 20) loads CommonJS, so ts-jest transpiles it along with our TypeScript.
const transform = {
  '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: { ...require('./tsconfig.json').compilerOptions, allowJs: true }, diagnostics: false }],
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
const withEngine = {
  globalSetup: '<rootDir>/tests/support/engine.global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/engine.global-teardown.ts',
};

module.exports = {
  projects: [
    { ...common, ...withEngine, displayName: 'fidelity', testMatch: ['<rootDir>/tests/fidelity/**/*.test.ts'] },
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    { ...common, ...withEngine, displayName: 'api', testMatch: ['<rootDir>/tests/api/**/*.test.ts'] },
    { ...common, ...withEngine, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
  ],
  testTimeout: 60_000,
};

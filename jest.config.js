/** jest projects: fidelity (engine guarantees, runs first), unit, api (HTTP against a real engine), e2e (h5 build in Chromium), faults (npm run test:faults). */
// jose and @noble (the offline ticket check in shared) ship ESM only; jest (on Node 20) loads CommonJS, so ts-jest transpiles them along with our TypeScript.
const transform = {
  '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: { ...require('./tsconfig.json').compilerOptions, allowJs: true }, diagnostics: false }],
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  transformIgnorePatterns: ['/node_modules/(?!(jose|@noble)/)'],
};
/** miniapp component and hook tests: page source in jsdom, with small stand-ins for Taro and NutUI (TOOLCHAIN.md) */
const standIns = '<rootDir>/miniapp/test/stand-ins';
const components = {
  ...common,
  displayName: 'components',
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/miniapp/src/**/*.test.tsx', '<rootDir>/miniapp/src/**/*.test.ts'],
  transform: {
    '^.+\\.[tj]sx?$': [
      'ts-jest',
      {
        tsconfig: { ...require('./tsconfig.json').compilerOptions, jsx: 'react-jsx', lib: ['ES2022', 'DOM'], types: ['node'] },
        diagnostics: false,
      },
    ],
  },
  moduleNameMapper: {
    '^@tarojs/taro$': `${standIns}/taro.ts`,
    '^@tarojs/components$': `${standIns}/components.tsx`,
    '^@nutui/nutui-react-taro$': `${standIns}/nutui.tsx`,
    '\\.(s?css)$': `${standIns}/style.js`,
  },
};
const withEngine = {
  globalSetup: '<rootDir>/tests/support/engine.global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/engine.global-teardown.ts',
};

module.exports = {
  projects: [
    { ...common, ...withEngine, displayName: 'fidelity', testMatch: ['<rootDir>/tests/fidelity/**/*.test.ts'] },
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    components,
    { ...common, ...withEngine, displayName: 'api', testMatch: ['<rootDir>/tests/api/**/*.test.ts'] },
    { ...common, ...withEngine, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
    // faults (issue 18): the engine restarted, WeChat Pay failing, an API process killed; `npm run test:faults`, not in `npm test`
    { ...common, ...withEngine, displayName: 'faults', testMatch: ['<rootDir>/tests/faults/**/*.test.ts'] },
  ],
  testTimeout: 60_000,
  // jest's default (cores − 1) runs one file at a time on a 2-core machine; the API and e2e files
  // mostly wait on the engine, the stand-ins and Chromium, so two at a time nearly halves the run
  // (each file has its own database: tests/support/db.ts)
  maxWorkers: Math.max(2, require('node:os').availableParallelism() - 1),
};

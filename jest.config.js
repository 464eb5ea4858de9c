// Test levels live in the file name (*.unit.spec.ts, *.int.spec.ts, *.e2e.spec.ts), one jest project each.
// NestJS 12 ships as ES modules; jest's CommonJS runtime cannot require(esm) on Node 20, so @swc/jest
// also compiles those packages to CommonJS (cached after the first run).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|uid|path-to-regexp)/)'],
  moduleNameMapper: {
    '^@peil/(ledger|contracts|testing|projections|messaging|config|reports)$': '<rootDir>/libs/$1/src',
    // The platform has one entry point per concern (decision 0088): @peil/platform/streams, /auth, …
    '^@peil/platform/([a-z]+)$': '<rootDir>/libs/platform/src/$1',
  },
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,services,scripts,test}/**/*.unit.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/{libs,services,scripts,test}/**/*.int.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{libs,services,scripts,test}/**/*.e2e.spec.ts'],
      // Specs that only use the public API share one started system per worker (libs/testing/src/shared-system.ts).
      globalSetup: '<rootDir>/libs/testing/src/e2e-global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/e2e-global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/e2e-setup-timeout.ts'],
    },
  ],
};

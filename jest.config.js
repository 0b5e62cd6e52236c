'use strict';
// Three projects: unit (pure logic, fakes passed in), integration (real MariaDB, Kafka, OpenSearch;
// its global setup brings the local stack up when it is not running, or, with
// SDP_TEST_SERVICES=containers, starts them as testcontainers, stopped by its global teardown) and
// packaging (the Dockerfile, compose file, CI pipeline and Helm chart, read as files and run through
// helm; no services).
// `npm test` runs all three.
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  // @marcbachmann/cel-js ships ES modules only: Node 20 require()s them, Jest's CommonJS runtime needs them
  // transpiled.
  '/node_modules/@marcbachmann/cel-js/.+\\.js$': [
    'ts-jest',
    { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, isolatedModules: true },
  ],
  // @platformatic/kafka (the worker's producer) and its helpers ship ES modules only and read
  // import.meta.url: turned into CommonJS by esbuild (test/helpers/esmToCommonJs.js).
  '/node_modules/@platformatic/.+\\.js$': '<rootDir>/test/helpers/esmToCommonJs.js',
};
const transformIgnorePatterns = ['/node_modules/(?!@marcbachmann/cel-js/|@platformatic/)'];

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/globalSetup.js',
      globalTeardown: '<rootDir>/test/helpers/globalTeardown.js',
      slowTestThreshold: 30,
    },
    {
      displayName: 'packaging',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/packaging/**/*.test.ts'],
    },
  ],
};

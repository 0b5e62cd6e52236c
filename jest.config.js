'use strict';
// Two projects: unit (pure logic, fakes passed in) and integration (real MariaDB, Kafka, OpenSearch;
// its global setup brings the local stack up when it is not running). `npm test` runs both.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/globalSetup.js',
      slowTestThreshold: 30,
    },
  ],
};

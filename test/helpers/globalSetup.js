'use strict';
// Integration tests need the real services: use the SDP_* ones when given, else the local stack,
// started here if it is down. Never skips silently: an unreachable service fails the run.
// SDP_TEST_SERVICES=containers: MariaDB, Kafka and OpenSearch as testcontainers instead
// (test/containers/serviceContainers.ts), stopped by globalTeardown.js.
const { ensureStack } = require('../../scripts/ensure-stack');

module.exports = async function globalSetup() {
  // Jest transpiles what a global setup requires, so the TypeScript module loads here.
  const { selectedTestServices, startServiceContainers } = require('../containers/serviceContainers.ts');
  if (selectedTestServices() === 'containers') {
    const started = await startServiceContainers();
    globalThis.__sdpServiceContainers = started;
    Object.assign(process.env, started.env);
    return;
  }
  const env = await ensureStack();
  Object.assign(process.env, env);
};

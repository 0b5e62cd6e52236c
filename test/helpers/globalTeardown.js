'use strict';
// Stops the service containers globalSetup.js started (SDP_TEST_SERVICES=containers); the local
// stack is left running (it is shared).
module.exports = async function globalTeardown() {
  const started = globalThis.__sdpServiceContainers;
  if (!started) return;
  delete globalThis.__sdpServiceContainers;
  await started.stop();
};

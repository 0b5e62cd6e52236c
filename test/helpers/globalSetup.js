'use strict';
// Integration tests need the real services: use the SDP_* ones when given, else the local stack,
// started here if it is down. Never skips silently: an unreachable service fails the run.
const { ensureStack } = require('../../scripts/ensure-stack');

module.exports = async function globalSetup() {
  const env = await ensureStack();
  Object.assign(process.env, env);
};

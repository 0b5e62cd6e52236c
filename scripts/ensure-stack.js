'use strict';
// Makes sure MariaDB, Kafka and OpenSearch answer before the system or the tests run.
// When the SDP_* variables name services, those are used as they are; otherwise the local stack
// (scripts/stack.sh) is started if any of its services is down. Returns the env to use.
const net = require('node:net');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const DEFAULTS = {
  SDP_MYSQL_URL: 'mysql://sdp:sdp@127.0.0.1:3306/sdp',
  SDP_KAFKA_BROKERS: '127.0.0.1:9092',
  SDP_OPENSEARCH_URL: 'http://127.0.0.1:9200',
};

function endpoints(env) {
  const mysql = new URL(env.SDP_MYSQL_URL);
  const os = new URL(env.SDP_OPENSEARCH_URL);
  const [kHost, kPort] = env.SDP_KAFKA_BROKERS.split(',')[0].split(':');
  return [
    ['mariadb', mysql.hostname, Number(mysql.port || 3306)],
    ['kafka', kHost, Number(kPort)],
    ['opensearch', os.hostname, Number(os.port || (os.protocol === 'https:' ? 443 : 80))],
  ];
}

function reachable(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function down(env) {
  const results = await Promise.all(
    endpoints(env).map(async ([name, h, p]) => [name, await reachable(h, p)]),
  );
  return results.filter(([, ok]) => !ok).map(([name]) => name);
}

async function ensureStack({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const configured = Object.keys(DEFAULTS).filter((k) => process.env[k]);
  const env = { ...DEFAULTS };
  for (const k of configured) env[k] = process.env[k];
  const missing = await down(env);
  if (missing.length === 0) return env;
  if (configured.length > 0) {
    throw new Error(
      `configured services are unreachable: ${missing.join(', ')} (from ${configured.join(', ')}); ` +
        'unset the SDP_* variables to use the local stack',
    );
  }
  log(`sdp: ${missing.join(', ')} not running; starting the local stack (npm run stack)...`);
  const out = execFileSync('bash', [path.join(__dirname, 'stack.sh'), 'start'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  for (const line of out.split('\n')) {
    const m = /^export (SDP_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  const still = await down(env);
  if (still.length > 0) throw new Error(`stack started but still unreachable: ${still.join(', ')}`);
  return env;
}

module.exports = { ensureStack, DEFAULTS };

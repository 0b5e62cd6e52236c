import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import type { StartedTestContainer } from 'testcontainers';
import { ProbeResult, ProbeWaitStrategy } from './probeWaitStrategy';

// The integration suites' services as testcontainers (SDP_TEST_SERVICES=containers): MariaDB, Kafka
// and OpenSearch from images built on this machine (scripts/service-images.sh), on the private
// dockerd (scripts/image.sh), with host networking on ports of their own, so that they run beside
// the local stack (3306, 9092/9093, 9200/9300). Ryuk is off: its image cannot be pulled here, so
// the global teardown stops the containers, and a run removes what a crashed run left behind (by
// label) before it starts its own.

const ROOT = path.resolve(__dirname, '../..');

export type TestServices = 'stack' | 'containers';

/** Which services the integration suites use: SDP_TEST_SERVICES, `stack` (the default) or `containers`. */
export function selectedTestServices(env: NodeJS.ProcessEnv = process.env): TestServices {
  const v = (env.SDP_TEST_SERVICES ?? '').trim();
  if (v === '' || v === 'stack') return 'stack';
  if (v === 'containers') return 'containers';
  throw new Error(`SDP_TEST_SERVICES=${v}: expected "stack" (the default) or "containers"`);
}

/**
 * For the fault helpers that act on the local stack's processes (stack.sh kill, SIGSTOP of its
 * broker): in containers mode the suite talks to other services, and the shared stack would be hurt
 * for nothing.
 */
export function requireStackServices(what: string, env: NodeJS.ProcessEnv = process.env): void {
  if (selectedTestServices(env) !== 'stack') {
    throw new Error(
      `${what} acts on the local stack's processes, not on the service containers: run this suite with SDP_TEST_SERVICES unset`,
    );
  }
}

export interface ServicePorts {
  mariadb: number;
  kafka: number;
  kafkaController: number;
  opensearch: number;
  opensearchTransport: number;
}

/** The containers' ports: none is one of the local stack's. */
export const SERVICE_CONTAINER_PORTS: Readonly<ServicePorts> = Object.freeze({
  mariadb: 13306,
  kafka: 19092,
  kafkaController: 19093,
  opensearch: 19200,
  opensearchTransport: 19300,
});

/** The SDP_* variables the suites read, for services on these ports (what the stack path exports). */
export function servicesEnv(
  ports: ServicePorts,
): Record<'SDP_MYSQL_URL' | 'SDP_KAFKA_BROKERS' | 'SDP_OPENSEARCH_URL', string> {
  return {
    SDP_MYSQL_URL: `mysql://sdp:sdp@127.0.0.1:${ports.mariadb}/sdp`,
    SDP_KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
    SDP_OPENSEARCH_URL: `http://127.0.0.1:${ports.opensearch}`,
  };
}

/** `export NAME=value` lines (what the repository's scripts print on stdout) as a record. */
export function parseExportLines(stdout: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const m of stdout.matchAll(/^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/gm)) vars[m[1]!] = m[2]!;
  return vars;
}

export interface ServiceImages {
  dockerHost: string;
  mariadb: string;
  kafka: string;
  opensearch: string;
}

/** Builds the images that are not cached yet (scripts/service-images.sh; its progress goes to stderr). */
export function buildServiceImages(): ServiceImages {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts/service-images.sh'), 'build'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 1_800_000,
  });
  if (r.status !== 0)
    throw new Error(`scripts/service-images.sh build failed (exit ${r.status ?? r.signal})`);
  const v = parseExportLines(r.stdout);
  const images = {
    dockerHost: v.DOCKER_HOST,
    mariadb: v.SDP_TEST_MARIADB_IMAGE,
    kafka: v.SDP_TEST_KAFKA_IMAGE,
    opensearch: v.SDP_TEST_OPENSEARCH_IMAGE,
  };
  const missing = Object.entries(images).filter(([, x]) => !x);
  if (missing.length > 0) {
    throw new Error(`scripts/service-images.sh printed no ${missing.map(([k]) => k).join(', ')}`);
  }
  return images as ServiceImages;
}

const why = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** MariaDB answers a query as the suites' user, in the suites' database. */
export async function probeMariadb(port: number): Promise<ProbeResult> {
  const conn = await mysql.createConnection({
    host: '127.0.0.1',
    port,
    user: 'sdp',
    password: 'sdp',
    database: 'sdp',
    connectTimeout: 3000,
  });
  try {
    const [rows] = await conn.query('SELECT 1 AS one');
    const one = (rows as Array<{ one: number }>)[0]?.one;
    return one === 1 ? { ready: true } : { ready: false, why: `SELECT 1 returned ${JSON.stringify(rows)}` };
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** Kafka's metadata names this broker and an active controller. */
export async function probeKafka(port: number): Promise<ProbeResult> {
  const admin = new Kafka({
    clientId: 'sdp-test-services-probe',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (!cluster.brokers.some((b) => b.port === port)) {
      return { ready: false, why: `metadata lists brokers ${JSON.stringify(cluster.brokers)}` };
    }
    if (cluster.controller === null || cluster.controller < 0)
      return { ready: false, why: 'no active controller' };
    return { ready: true };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** OpenSearch's cluster health is yellow or green. */
export async function probeOpensearch(port: number): Promise<ProbeResult> {
  const res = await fetch(`http://127.0.0.1:${port}/_cluster/health?wait_for_status=yellow&timeout=2s`, {
    signal: AbortSignal.timeout(5000),
  });
  const body = (await res.json().catch(() => ({}))) as { status?: string };
  if (res.ok && (body.status === 'yellow' || body.status === 'green')) return { ready: true };
  return { ready: false, why: `cluster health HTTP ${res.status}, status ${body.status ?? 'unknown'}` };
}

const LABEL = 'org.sdp.test-services';

export interface StartedServices {
  env: ReturnType<typeof servicesEnv>;
  containers: StartedTestContainer[];
  stop(): Promise<void>;
}

type Log = (msg: string, fields?: Record<string, unknown>) => void;

export const stderrLog: Log = (msg, fields = {}) => {
  const kv = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  process.stderr.write(`sdp test-services: ${[msg, ...kv].join(' ')}\n`);
};

/**
 * Builds (or finds) the images, removes containers a crashed run left behind, starts the three
 * containers and waits until each answers as ready. The returned env holds the SDP_* variables.
 */
export async function startServiceContainers(log: Log = stderrLog): Promise<StartedServices> {
  const t0 = Date.now();
  const images = buildServiceImages();
  // Read by testcontainers when it first talks to the daemon, so set before anything is started.
  // The host override: with host networking the services are on this machine's loopback; without
  // it, testcontainers running inside a container (/.dockerenv) looks for the daemon's `bridge`
  // network's gateway, and the private daemon has no bridge.
  process.env.DOCKER_HOST = images.dockerHost;
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  const { GenericContainer, getContainerRuntimeClient } = await import('testcontainers');

  const client = await getContainerRuntimeClient();
  const leftovers = await client.container.dockerode.listContainers({
    all: true,
    filters: { label: [LABEL] },
  });
  for (const c of leftovers) {
    log('removing a container an earlier run left behind', { name: c.Names.join(','), state: c.State });
    await client.container.getById(c.Id).remove({ force: true, v: true });
  }

  const ports = SERVICE_CONTAINER_PORTS;
  const service = (name: string, image: string, command: string[], probe: () => Promise<ProbeResult>) =>
    new GenericContainer(image)
      .withName(`sdp-test-${name}`)
      .withLabels({ [LABEL]: name })
      .withNetworkMode('host')
      .withCommand(command)
      .withWaitStrategy(new ProbeWaitStrategy(name, probe))
      .withStartupTimeout(240_000);
  const definitions = [
    service('mariadb', images.mariadb, [`--port=${ports.mariadb}`], () => probeMariadb(ports.mariadb)),
    service('kafka', images.kafka, [String(ports.kafka), String(ports.kafkaController)], () =>
      probeKafka(ports.kafka),
    ),
    service(
      'opensearch',
      images.opensearch,
      [String(ports.opensearch), String(ports.opensearchTransport)],
      () => probeOpensearch(ports.opensearch),
    ),
  ];
  const results = await Promise.allSettled(definitions.map((d) => d.start()));
  const containers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    await Promise.allSettled(
      containers.map((c) => c.stop({ timeout: 20_000, remove: true, removeVolumes: true })),
    );
  };
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [why(r.reason)] : []));
  if (failures.length > 0) {
    await stop();
    throw new Error(`service containers did not start:\n${failures.join('\n')}`);
  }
  const env = servicesEnv(ports);
  log('containers ready', { seconds: Math.round((Date.now() - t0) / 1000), ...env });
  return { env, containers, stop };
}

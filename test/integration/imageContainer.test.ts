import { randomBytes } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';
import { Kafka, logLevel } from 'kafkajs';
import { goodRecord, WORKER_TEST_MAPPING } from '../fixtures/worker-records';
import { createTestDatabase, randomName, TestDatabase, testConfig, waitFor } from '../helpers';
import { buildImage, docker, ImageEnv } from '../helpers/imageDocker';

// The shipped image, built for real (scripts/image.sh) and run on the real stack: migrate, then
// pipeline-mgmt and pipeline-worker from the image with a read-only root filesystem, the image's
// non-root user and host networking; a pipeline created through the image's mgmt, records indexed by
// the image's worker, SIGTERM -> exit 0. Ports 23012/23013: nothing else on this machine uses them.

jest.setTimeout(600_000);
const MGMT_PORT = 23012;
const WORKER_PORT = 23013;
const built = buildImage();
const d = built.env ? describe : describe.skip;
if (!built.env) console.warn(`image smoke test skipped: ${built.reason}`);

d('the image, built and run on the real stack', () => {
  const env = built.env as ImageEnv;
  const cfg = testConfig();
  const adminToken = `image-admin-${randomBytes(12).toString('hex')}`;
  const containers: string[] = [];
  let tdb: TestDatabase;

  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    for (const c of containers) {
      try {
        docker(env, ['rm', '-f', c]);
      } catch {
        /* already gone */
      }
    }
    await tdb?.drop();
  });

  function run(name: string, cmd: string[], extra: Record<string, string> = {}, detach = true): string {
    const vars = {
      SDP_MYSQL_URL: tdb.url,
      SDP_KAFKA_BROKERS: cfg.kafkaBrokers.join(','),
      SDP_OPENSEARCH_URL: cfg.opensearch.url,
      SDP_ADMIN_TOKEN: adminToken,
      SDP_HTTP_PORT: String(MGMT_PORT),
      SDP_WORKER_PORT: String(WORKER_PORT),
      ...extra,
    };
    const cname = `${name}-${randomBytes(4).toString('hex')}`;
    containers.push(cname);
    const args = ['run', '--name', cname, '--network', 'host', '--read-only', '--tmpfs', '/tmp'];
    if (detach) args.push('-d');
    for (const [k, v] of Object.entries(vars)) args.push('-e', `${k}=${v}`);
    const out = docker(env, [...args, env.image, ...cmd], 180_000);
    return detach ? cname : out;
  }

  const inspect = (c: string, fmt: string) => docker(env, ['inspect', '--format', fmt, c]).trim();

  it('is small, has no npm, runs as a non-root user', () => {
    const size = Number(docker(env, ['image', 'inspect', '--format', '{{.Size}}', env.image]).trim());
    console.log(`image ${env.image}: ${(size / 1e6).toFixed(0)} MB`);
    expect(size).toBeLessThan(400e6);
    expect(docker(env, ['image', 'inspect', '--format', '{{.Config.User}}', env.image]).trim()).toBe(
      '1000:1000',
    );
    const probe = docker(env, [
      'run',
      '--rm',
      '--network',
      'host',
      '--read-only',
      '--entrypoint',
      'sh',
      env.image,
      '-c',
      'id -u; command -v npm || echo no-npm; command -v gcc || echo no-gcc; ls node_modules | grep -cx typescript || true',
    ]);
    expect(probe.split('\n').map((l) => l.trim())).toEqual(['1000', 'no-npm', 'no-gcc', '0', '']);
  });

  it('migrates, serves /health and /ready, indexes records of a pipeline created through its mgmt, and exits 0 on SIGTERM', async () => {
    run('sdp-migrate', ['node', 'dist/server/common/db/migrate-cli.js'], {}, false);
    const mgmt = run('sdp-mgmt', ['node', 'dist/server/pipeline-mgmt/main.js']);
    const worker = run('sdp-worker', ['node', 'dist/server/pipeline-worker/main.js']);
    for (const [c, port] of [
      [mgmt, MGMT_PORT],
      [worker, WORKER_PORT],
    ] as const) {
      for (const probe of ['health', 'ready']) {
        await waitFor(
          async () => {
            if (inspect(c, '{{.State.Running}}') !== 'true')
              throw new Error(`${c} stopped:\n${docker(env, ['logs', c])}`);
            return (await fetch(`http://127.0.0.1:${port}/${probe}`)).ok;
          },
          { timeoutMs: 90_000, what: `${c} /${probe}` },
        );
      }
      expect(inspect(c, '{{.Config.User}}')).toBe('1000:1000');
      expect(inspect(c, '{{.HostConfig.ReadonlyRootfs}}')).toBe('true');
    }

    const os = new Client({ node: cfg.opensearch.url });
    const name = randomName('img').replace(/_/g, '-');
    const index = `${name}-idx`;
    await os.indices.create({ index, body: { mappings: WORKER_TEST_MAPPING } });
    const res = await fetch(`http://127.0.0.1:${MGMT_PORT}/api/v1/pipelines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ name, index, partitions: 1 }),
    });
    const p = (await res.json()) as { topics: { input: string } };
    expect(res.status).toBe(201);

    const kafka = new Kafka({
      clientId: 'image-test',
      brokers: cfg.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const N = 200;
    await producer.send({
      topic: p.topics.input,
      acks: -1,
      messages: Array.from({ length: N }, (_, seq) => ({ key: String(seq), value: goodRecord(seq) })),
    });
    await producer.disconnect();
    const count = await waitFor(
      async () => {
        await os.indices.refresh({ index });
        const n = (await os.count({ index })).body.count as number;
        return n >= N ? n : 0;
      },
      { timeoutMs: 120_000, what: `${N} documents in ${index}` },
    );
    expect(count).toBe(N);

    for (const c of [worker, mgmt]) {
      const t0 = Date.now();
      docker(env, ['kill', '--signal', 'TERM', c]);
      docker(env, ['wait', c], 60_000);
      expect({ c, code: inspect(c, '{{.State.ExitCode}}') }).toEqual({ c, code: '0' });
      expect(Date.now() - t0).toBeLessThan(45_000);
    }
    await os.indices.delete({ index }).catch(() => undefined);
  });
});

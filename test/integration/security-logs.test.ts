import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Config } from '../../server/common/config/schema';
import { createLogger, Logger } from '../../server/common/logger';
import { createOpenSearchClient } from '../../server/common/opensearch';
import { startMgmt } from '../../server/pipeline-mgmt/main';
import { createTestDatabase, randomName, testConfig, TestDatabase } from '../helpers';

// Real pipeline-mgmt runs with credentials set, their pino output captured through a destination
// stream: no token or password may appear in any line, nor in any API answer.

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ name: 'mgmt', logLevel: 'trace', developMode: false }, stream), lines };
}

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

async function call(
  base: string,
  method: string,
  p: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/** Starts mgmt as runProcess would, logging a failed start the same way. */
async function startOrLog(config: Config, logger: Logger) {
  try {
    return await startMgmt({ config, logger });
  } catch (e: unknown) {
    logger.fatal({ err: e }, 'start-up failed');
    return undefined;
  }
}

describe('no credential in logs or answers', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('keeps tokens, OpenSearch, Kafka and MariaDB passwords out of every log line and answer', async () => {
    const { logger, lines } = capture();
    const answers: string[] = [];
    const adminToken = secret('admin');
    const osUser = 'sdp-log-user';
    const osPassword = secret('os-pw');
    const env = {
      SDP_MYSQL_URL: tdb.url,
      SDP_HTTP_PORT: '0',
      SDP_ADMIN_TOKEN: adminToken,
      SDP_OPENSEARCH_USERNAME: osUser,
      SDP_OPENSEARCH_PASSWORD: osPassword,
      SDP_LOG_LOG_LEVEL: 'trace',
    };

    // 1. A working mgmt (OpenSearch without its security plugin ignores the basic auth it is sent).
    const mgmt = await startMgmt({ config: testConfig(env), logger });
    const base = `http://127.0.0.1:${mgmt.port}`;
    const admin = { authorization: `Bearer ${adminToken}` };
    const minted: string[] = [];
    const name = randomName('logp');
    const index = randomName('log-idx').replace(/_/g, '-');
    try {
      for (const [n, role, team] of [
        ['log-editor', 'editor', 'logs'],
        ['log-viewer', 'viewer', 'logs'],
      ]) {
        const r = await call(base, 'POST', '/api/v1/tokens', admin, { name: n, role, team });
        expect(r.status).toBe(201);
        minted.push((JSON.parse(r.text) as { token: string }).token);
      }
      const [editor, viewer] = minted.map((t) => ({ authorization: `Bearer ${t}` }));
      const created = await call(base, 'POST', '/api/v1/pipelines', editor!, {
        name,
        index,
        partitions: 1,
        status: 'stopped',
        createIndex: {},
      });
      expect(created.status).toBe(201);
      const id = (JSON.parse(created.text) as { id: string }).id;
      answers.push(created.text);
      for (const [method, p, headers, body] of [
        ['GET', '/api/v1/pipelines', viewer!, undefined],
        ['PATCH', `/api/v1/pipelines/${id}`, editor!, { description: 'x' }],
        ['PATCH', `/api/v1/pipelines/${id}`, viewer!, { description: 'y' }],
        ['GET', '/api/v1/tokens', admin, undefined],
        ['GET', '/api/v1/audit', admin, undefined],
        ['GET', '/api/v1/pipelines', { authorization: `Bearer ${minted[0]}x` }, undefined],
        [
          'GET',
          '/api/v1/pipelines',
          { authorization: `Basic ${Buffer.from(`u:${osPassword}`).toString('base64')}` },
          undefined,
        ],
        ['GET', '/ready', {}, undefined],
        ['DELETE', `/api/v1/pipelines/${id}?force=true`, editor!, undefined],
      ] as const) {
        answers.push((await call(base, method, p, headers as Record<string, string>, body)).text);
      }
    } finally {
      await mgmt.stop();
    }

    // 2. OpenSearch unreachable, at a URL that carries credentials too: the 503 is logged with its
    // cause, and a raw client error (meta: request, connection) is logged as a careless caller would.
    const urlPassword = secret('url-pw');
    const downConfig = testConfig({
      ...env,
      SDP_OPENSEARCH_URL: `http://url-user:${urlPassword}@127.0.0.1:9`,
    });
    const client = createOpenSearchClient(downConfig);
    await client.indices
      .exists({ index: 'x' })
      .catch((e: unknown) => logger.error({ err: e }, 'raw client error'));
    await client.close();
    const down = await startMgmt({ config: downConfig, logger });
    try {
      const r = await call(`http://127.0.0.1:${down.port}`, 'POST', '/api/v1/pipelines', admin, {
        name: randomName('logq'),
        index,
      });
      expect(r.status).toBe(503);
      answers.push(r.text);
      answers.push((await call(`http://127.0.0.1:${down.port}`, 'GET', '/ready', {})).text);
    } finally {
      await down.stop();
    }

    // 3. Kafka SASL to a broker that does not speak it, and 4. a MariaDB login that is refused: both fail to start.
    const kafkaPassword = secret('kafka-pw');
    const saslStart = await startOrLog(
      testConfig({
        ...env,
        SDP_MQ_USERNAME: 'robot',
        SDP_MQ_PASSWORD: kafkaPassword,
        SDP_MQ_SASL_MECHANISM: 'plain',
      }),
      logger,
    );
    await saslStart?.stop();
    const dbPassword = secret('db-pw');
    const u = new URL(tdb.url);
    u.username = 'sdp_no_such_user';
    const dbStart = await startOrLog(
      testConfig({ ...env, SDP_MYSQL_URL: u.toString(), SDP_MYSQL_PASSWORD: dbPassword }),
      logger,
    );
    await dbStart?.stop();
    expect(dbStart).toBeUndefined();

    const log = lines.join('');
    // Not vacuous: requests, the 503 with its cause, and the failed start-ups are all there.
    expect(lines.filter((l) => l.includes('"msg":"request"')).length).toBeGreaterThanOrEqual(10);
    expect(log).toContain('"msg":"request failed"');
    expect(log).toContain('"msg":"raw client error"');
    expect(log).toContain('"msg":"start-up failed"');
    expect(log).toContain('sdp_no_such_user');

    const forbidden = [
      adminToken,
      ...minted,
      ...minted.map((t) => t.split('_').pop() as string),
      osPassword,
      urlPassword,
      Buffer.from(`${osUser}:${osPassword}`).toString('base64'),
      Buffer.from(`u:${osPassword}`).toString('base64'),
      kafkaPassword,
      dbPassword,
      encodeURIComponent(dbPassword),
    ];
    for (const s of forbidden) {
      expect({ secret: s, inLogs: log.includes(s) }).toEqual({ secret: s, inLogs: false });
      expect({ secret: s, inAnswers: answers.join('\n').includes(s) }).toEqual({
        secret: s,
        inAnswers: false,
      });
    }
  }, 120_000);
});

describe('without SDP_ADMIN_TOKEN (a developer start)', () => {
  let tdb: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'sdp-admin-'));
  });
  afterAll(async () => {
    await tdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (file: string, logger: Logger) =>
    startMgmt({
      config: testConfig({
        SDP_MYSQL_URL: tdb.url,
        SDP_HTTP_PORT: '0',
        SDP_ADMIN_TOKEN: '',
        SDP_SERVER_GENERATED_ADMIN_TOKEN_FILE: file,
      }),
      logger,
    });

  it('writes a generated admin token to a 0600 file, logs only the path, and reuses it on restart', async () => {
    const file = path.join(dir, 'nested', 'admin-token');
    const first = capture();
    const m1 = await start(file, first.logger);
    const token = readFileSync(file, 'utf8').trim();
    try {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o077).toBe(0);
      expect(token).toMatch(/^sdpa_[A-Za-z0-9_-]{43}$/);
      const log = first.lines.join('');
      expect(log).toContain(file);
      expect(log).not.toContain(token);
      const base = `http://127.0.0.1:${m1.port}`;
      const ok = await call(base, 'GET', '/api/v1/audit', { authorization: `Bearer ${token}` });
      expect(ok.status).toBe(200);
      expect((await call(base, 'GET', '/api/v1/audit', {})).status).toBe(401);
    } finally {
      await m1.stop();
    }
    const m2 = await start(file, capture().logger);
    await m2.stop();
    expect(readFileSync(file, 'utf8').trim()).toBe(token);

    // A file others can read is not trusted: a new token replaces it, private again.
    chmodSync(file, 0o644);
    const m3 = await start(file, capture().logger);
    await m3.stop();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).not.toBe(token);
  });

  it('starts without a bootstrap admin (and says why) when the file cannot be written', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const c = capture();
    const m = await start(path.join(blocker, 'admin-token'), c.logger);
    try {
      expect(c.lines.join('')).toMatch(/no admin token file could be written: no bootstrap admin/);
      expect((await call(`http://127.0.0.1:${m.port}`, 'GET', '/health', {})).status).toBe(200);
    } finally {
      await m.stop();
    }
  });

  it('refuses to start with an SDP_ADMIN_TOKEN that is too short or not sendable as a bearer token', async () => {
    for (const bad of ['short', 'has spaces in it, 12345678']) {
      await expect(
        startMgmt({
          config: testConfig({ SDP_MYSQL_URL: tdb.url, SDP_HTTP_PORT: '0', SDP_ADMIN_TOKEN: bad }),
          logger: capture().logger,
        }),
      ).rejects.toThrow(/SDP_ADMIN_TOKEN/);
    }
  });
});

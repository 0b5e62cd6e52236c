import { connect } from 'node:net';
import type { Pipeline } from '../../server/common/pipelines';
import {
  addNoise,
  authorization,
  FuzzTarget,
  prng,
  Req,
  send,
  setBody,
  TEMPLATES,
} from '../helpers/security-fuzz';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

// Random and malformed bodies, headers, paths and credentials thrown at every endpoint. Every answer
// must be below 500, every error a JSON body with `code` and `message`, and nothing stored may change.
// Requests that could succeed in changing something (an admin's or editor's write) always carry one
// "poison" that makes them invalid, so any change at all is a bug. The PRNG is seeded:
// SDP_FUZZ_SEED=<n> reproduces a run, SDP_FUZZ_REQUESTS=<n> makes it longer, SDP_FUZZ_TRACE=1 prints
// every request. A last test sends requests Node's HTTP parser itself refuses, over a raw socket.

const SEED = Number(process.env.SDP_FUZZ_SEED ?? 20240607);
const REQUESTS = Number(process.env.SDP_FUZZ_REQUESTS ?? 400);

const P = '/api/v1/pipelines';
type Ctx = FuzzTarget & { h: MgmtHarness };

describe(`fuzzing every endpoint (seed ${SEED}, ${REQUESTS} requests)`, () => {
  let ctx: Ctx;
  const port = () => Number(new URL(ctx.h.base).port);

  beforeAll(async () => {
    const h = await startMgmtHarness();
    const index = await h.newIndex();
    const mk = async (team: string) =>
      (await h.api<Pipeline>('POST', P, { body: { name: h.newName(), index, team, partitions: 1 } })).body;
    const editor = await h.mint({ name: 'fuzz-editor', role: 'editor', team: 'team-a' });
    const viewer = await h.mint({ name: 'fuzz-viewer', role: 'viewer', team: 'team-a' });
    const tokenId = (await h.api<{ items: Array<{ id: string }> }>('GET', '/api/v1/tokens')).body.items[0]
      ?.id as string;
    ctx = {
      h,
      index,
      pa: await mk('team-a'),
      pb: await mk('team-a'),
      tokenId,
      tokens: { admin: h.adminToken, editor, viewer },
    };
  });
  afterAll(async () => {
    await ctx?.h.stop();
  });

  const dump = async () =>
    JSON.stringify(
      await Promise.all(
        [
          ['pipelines', 'id'],
          ['pipeline_tasks', 'pipeline_id'],
          ['api_tokens', 'id'],
          ['audit_log', 'id'],
        ].map(([table, key]) => ctx.h.db(table as string).orderBy(key as string)),
      ),
    );

  it('never answers 5xx, always a JSON error with code and message, and changes nothing stored', async () => {
    const rng = prng(SEED);
    const before = await dump();
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i++) {
      const t = rng.pick(TEMPLATES);
      const auth = authorization(rng, ctx);
      const r: Req = {
        method: t.method,
        path: t.path(ctx),
        headers: auth.header ? { authorization: auth.header } : {},
      };
      if (t.body) setBody(r, t.body(ctx, rng));
      addNoise(r, rng);
      if (rng.chance(0.05)) r.method = rng.pick(['HEAD', 'OPTIONS', 'PURGE', 'TRACE']);
      if (auth.writer && t.poisons && r.method === t.method) rng.pick(t.poisons)(r, rng);
      const res = await send(port(), r).catch((e: unknown) => ({
        status: 599,
        type: '',
        text: `client error ${String(e)}; headers ${JSON.stringify(r.headers).slice(0, 300)}`,
      }));
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const where = `#${i} ${r.method} ${r.path.slice(0, 120)} -> ${res.status} ${res.text.slice(0, 200)}`;
      if (process.env.SDP_FUZZ_TRACE) console.log(where, JSON.stringify(r.headers));
      if (res.status >= 500) failures.push(where);
      if (res.status >= 400 && r.method !== 'HEAD') {
        let body: { code?: unknown; message?: unknown } = {};
        try {
          body = JSON.parse(res.text) as typeof body;
        } catch {
          /* checked below */
        }
        if (
          !res.type.includes('application/json') ||
          typeof body.code !== 'string' ||
          typeof body.message !== 'string'
        ) {
          failures.push(`not a JSON error: ${where}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await dump()).toEqual(before);
    // Not vacuous: the run reached authentication, authorisation, validation and the routes.
    for (const status of [200, 400, 401, 403, 404])
      expect({ status, seen: statuses.has(status) }).toEqual({ status, seen: true });
    console.log(`fuzz seed ${SEED}: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  }, 120_000);

  it('answers requests that are not valid HTTP with a JSON error too', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port(), '127.0.0.1', () => socket.end(text));
        let out = '';
        socket.on('data', (d: Buffer) => (out += d.toString()));
        socket.on('end', () => resolve(out));
        socket.on('error', reject);
      });
    const cases: Array<[string, number]> = [
      ['GET /health HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n', 400],
      ['NOT-HTTP\r\n\r\n', 400],
      [
        'POST /api/v1/pipelines HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        400,
      ],
      [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ];
    for (const [text, status] of cases) {
      const answer = await raw(text);
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      expect({ text: text.slice(0, 40), status: head.split(' ')[1] }).toEqual({
        text: text.slice(0, 40),
        status: String(status),
      });
      expect(head).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(body)).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect((await ctx.h.api('GET', '/health')).status).toBe(200);
  });
});

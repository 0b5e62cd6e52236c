import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Pipeline } from '../../server/common/pipelines';
import { MgmtHarness, startMgmtHarness } from './mgmt-harness';

// Random and malformed bodies, headers, paths and credentials thrown at every endpoint. Every answer
// must be below 500, every error a JSON body with `code` and `message`, and nothing stored may change.
// Requests that could succeed in changing something (an admin's or editor's write) always carry one
// "poison" that makes them invalid, so any change at all is a bug. The PRNG is seeded:
// SDP_FUZZ_SEED=<n> reproduces a run, SDP_FUZZ_REQUESTS=<n> makes it longer, SDP_FUZZ_TRACE=1 prints
// every request. A last test sends requests Node's HTTP parser itself refuses, over a raw socket.

const SEED = Number(process.env.SDP_FUZZ_SEED ?? 20240607);
const REQUESTS = Number(process.env.SDP_FUZZ_REQUESTS ?? 400);

/** mulberry32: small, fast, seedable. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const chance = (p: number) => next() < p;
  const str = (max: number, alphabet = 'abcXYZ019 -_.:/\\"\'%$&?#{}[]<>\u00e9\u4e2d\u{1F600}\u0000\u001f') =>
    Array.from({ length: int(max + 1) }, () => pick([...alphabet])).join('');
  const json = (depth = 0): unknown => {
    switch (int(depth > 3 ? 6 : 8)) {
      case 0:
        return null;
      case 1:
        return chance(0.5);
      case 2:
        return pick([0, -1, 1.5, 1e308, -1e-308, 2 ** 53 + 1, 1000001]);
      case 3:
      case 4:
        return str(20);
      case 5:
        return pick([
          '',
          ' ',
          'running',
          'admin',
          'a'.repeat(300),
          '../../etc/passwd',
          "'; DROP TABLE pipelines; --",
        ]);
      case 6:
        return Array.from({ length: int(4) }, () => json(depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: int(4) }, () => [str(8), json(depth + 1)]));
    }
  };
  return { int, pick, chance, str, json };
}
type Rng = ReturnType<typeof prng>;

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

interface Ctx {
  h: MgmtHarness;
  index: string;
  pa: Pipeline;
  pb: Pipeline;
  tokenId: string;
  tokens: { admin: string; editor: string; viewer: string };
}

type Poison = (r: Req, rng: Rng) => void;
const setBody = (r: Req, value: unknown) => {
  r.body = JSON.stringify(value);
  r.headers['content-type'] ??= 'application/json';
};
const bodyObject = (r: Req): Record<string, unknown> => {
  try {
    const v: unknown = JSON.parse(String(r.body ?? '{}'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};
// Each makes the request invalid whatever else it holds.
const POISON = {
  unknownField: (r, rng) => setBody(r, { ...bodyObject(r), [`fuzz_${rng.str(6, 'abcdef')}`]: rng.json() }),
  notObject: (r, rng) => setBody(r, rng.pick([[], [bodyObject(r)], 42, 'text', null, true])),
  malformed: (r, rng) => {
    const text = JSON.stringify(bodyObject(r));
    r.body = text.slice(0, 1 + rng.int(text.length - 1)) + rng.pick(['', ',', '"', '\u0000', '\\']);
    r.headers['content-type'] = 'application/json';
  },
  media: (r, rng) => {
    r.body ??= '{}';
    r.headers['content-type'] = rng.pick([
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
    ]);
  },
  tooLarge: (r) => setBody(r, { ...bodyObject(r), description: 'x'.repeat(300 * 1024) }),
  deep: (r, rng) => {
    const n = 70 + rng.int(2000);
    r.body = `{"description":${'['.repeat(n)}${']'.repeat(n)}}`;
    r.headers['content-type'] = 'application/json';
  },
  stale: (r, rng) => {
    r.headers['if-match'] = rng.pick(['"0"', 'W/"0"', '"999999"', 'garbage', '"1x"']);
  },
  missingId: (r, rng) => {
    r.path = r.path.replace(
      /[0-9a-f-]{36}/,
      rng.pick([randomUUID(), 'not-a-uuid', '%E0%A4%A', "'%20OR%201=1"]),
    );
  },
  badForce: (r, rng) => {
    r.path = `${r.path.split('?')[0]}?force=${rng.pick(['maybe', 'yes', '2', '%00'])}`;
  },
} satisfies Record<string, Poison>;

interface Template {
  method: string;
  path(c: Ctx): string;
  body?(c: Ctx, rng: Rng): Record<string, unknown>;
  /** Poisons for writers; absent = the route cannot change anything. */
  poisons?: Poison[];
}
const P = '/api/v1/pipelines';
const withBody = [
  POISON.unknownField,
  POISON.notObject,
  POISON.malformed,
  POISON.media,
  POISON.tooLarge,
  POISON.deep,
];
const TEMPLATES: Template[] = [
  { method: 'GET', path: () => `${P}?limit=2` },
  { method: 'GET', path: (c) => `${P}/${c.pa.id}` },
  { method: 'GET', path: (c) => `${P}/${c.pb.id}/tasks` },
  { method: 'GET', path: () => '/api/v1/tokens?includeRevoked=true' },
  { method: 'GET', path: () => '/api/v1/audit?limit=2' },
  { method: 'GET', path: () => '/health' },
  { method: 'GET', path: () => '/ready' },
  { method: 'GET', path: () => '/openapi.json' },
  { method: 'GET', path: () => '/metrics' },
  {
    method: 'POST',
    path: () => P,
    body: (c, rng) => ({ name: `fuzz-${rng.str(6, 'abc123')}`, index: c.index, status: 'stopped' }),
    poisons: withBody,
  },
  {
    method: 'PUT',
    path: (c) => `${P}/${c.pa.id}`,
    body: (c) => ({ index: c.index, description: 'fuzz' }),
    poisons: [...withBody, POISON.stale, POISON.missingId],
  },
  {
    method: 'PATCH',
    path: (c) => `${P}/${c.pb.id}`,
    body: () => ({ description: 'fuzz' }),
    poisons: [...withBody, POISON.stale, POISON.missingId],
  },
  {
    method: 'PUT',
    path: (c) => `${P}/${c.pa.id}/status`,
    body: () => ({ status: 'stopped' }),
    poisons: [...withBody, POISON.stale, POISON.missingId],
  },
  {
    method: 'DELETE',
    path: (c) => `${P}/${c.pa.id}?force=true`,
    poisons: [POISON.stale, POISON.missingId, POISON.badForce],
  },
  {
    method: 'POST',
    path: () => '/api/v1/tokens',
    body: (_c, rng) => ({ name: `fuzz-${rng.str(8)}`, role: 'viewer', team: 'team-a' }),
    poisons: withBody,
  },
  { method: 'DELETE', path: (c) => `/api/v1/tokens/${c.tokenId}`, poisons: [POISON.missingId] },
];

/** Random noise on top of a template: odd paths, query strings, headers and body values. */
function addNoise(r: Req, rng: Rng): void {
  if (rng.chance(0.15)) {
    r.path += rng.pick([
      '/',
      '//',
      '/x',
      '/..',
      '/%2e%2e',
      '/%00',
      `/${'a'.repeat(4000)}`,
      '/%F0%9F%98%80',
      '/status/x',
    ]);
  }
  if (rng.chance(0.2)) {
    const q = rng.pick([
      'limit=-1',
      'limit=1e3',
      'limit[]=1',
      'status[$ne]=x',
      'name=%25',
      'cursor=AAAA',
      'team=A',
      'x=1&x=2',
    ]);
    r.path += `${r.path.includes('?') ? '&' : '?'}${q}`;
  }
  if (rng.chance(0.3) && r.body !== undefined) {
    const b = bodyObject(r);
    const key = rng.pick([
      ...Object.keys(b),
      'name',
      'index',
      'flush',
      'team',
      'role',
      'idField',
      'partitions',
    ]);
    if (rng.chance(0.3)) delete b[key];
    else b[key] = rng.json();
    setBody(r, b);
  }
  if (rng.chance(0.1) && r.body !== undefined)
    r.body = `{"__proto__":{"role":"admin"},${String(r.body).slice(1)}`;
  if (rng.chance(0.05)) r.body = Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0x7d]);
  for (let i = rng.int(3); i > 0; i--) {
    const [name, value] = rng.pick([
      ['x-request-id', rng.str(40)],
      ['accept', rng.pick(['*/*', 'text/html', 'application/xml', rng.str(10)])],
      ['content-encoding', rng.pick(['gzip', 'deflate', 'br', 'identity', 'x-fuzz'])],
      ['x-http-method-override', 'DELETE'],
      ['x-forwarded-for', '127.0.0.1, 10.0.0.1'],
      ['cookie', `session=${rng.str(10)}`],
      ['x-sdp-user', 'admin'],
      ['if-match', rng.pick(['*', '"1"', 'W/"1"', rng.str(5)])],
    ] as Array<[string, string]>);
    r.headers[name] = value.replace(/[^\x20-\x7e]/g, '?');
  }
}

/** Mostly real tokens (so that requests get past authentication), the rest every kind of bad credential. */
function authorization(rng: Rng, c: Ctx): { header?: string; writer: boolean } {
  const kind = rng.pick([
    'admin',
    'admin',
    'admin',
    'editor',
    'editor',
    'editor',
    'viewer',
    'viewer',
    'bad',
  ] as const);
  if (kind === 'admin') return { header: `Bearer ${c.tokens.admin}`, writer: true };
  if (kind === 'editor')
    return { header: rng.pick(['Bearer ', 'bearer   ', 'BEARER ']) + c.tokens.editor, writer: true };
  if (kind === 'viewer') return { header: `Bearer ${c.tokens.viewer}`, writer: false };
  // The editor's token with its last character changed: well-formed, right id, wrong secret.
  const t = c.tokens.editor;
  const tampered = `${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`;
  const header = rng.pick([
    undefined,
    `Bearer ${tampered}`,
    `Bearer ${c.tokens.admin}x`,
    `Bearer sdp_${randomUUID().replace(/-/g, '')}_${'A'.repeat(43)}`,
    `Bearer ${rng.str(rng.pick([10, 100, 2000]), 'abcXYZ019-._~+/=')}`,
    rng.pick([
      'Bearer',
      'Bearer ',
      'Basic YWRtaW46YWRtaW4=',
      'Digest x',
      'Bearer a b',
      `Token ${c.tokens.admin}`,
    ]),
  ]);
  return { header, writer: false };
}

/** One request on its own connection; a body is always framed (Node sends GET / DELETE bodies unframed). */
function send(port: number, r: Req): Promise<{ status: number; type: string; text: string }> {
  const headers =
    r.body === undefined ? r.headers : { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

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

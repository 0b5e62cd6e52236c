import { randomUUID } from 'node:crypto';
import { request } from 'node:http';

// The request generator of test/integration/security-fuzz.test.ts: a seeded PRNG, request templates
// for every endpoint, random noise, "poisons" that make a write invalid, and a raw HTTP sender.

/** mulberry32: small, fast, seedable. */
export function prng(seed: number) {
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
export type Rng = ReturnType<typeof prng>;

export interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** What the requests are aimed at: two pipelines, a token to (not) revoke, and real credentials. */
export interface FuzzTarget {
  index: string;
  pa: { id: string };
  pb: { id: string };
  tokenId: string;
  tokens: { admin: string; editor: string; viewer: string };
}
type Ctx = FuzzTarget;

export type Poison = (r: Req, rng: Rng) => void;
export const setBody = (r: Req, value: unknown) => {
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
export const POISON = {
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

export interface Template {
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
export const TEMPLATES: Template[] = [
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
export function addNoise(r: Req, rng: Rng): void {
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
export function authorization(rng: Rng, c: Ctx): { header?: string; writer: boolean } {
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
export function send(port: number, r: Req): Promise<{ status: number; type: string; text: string }> {
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

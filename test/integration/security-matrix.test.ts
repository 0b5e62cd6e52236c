import { randomBytes, randomUUID } from 'node:crypto';
import type { Pipeline } from '../../server/common/pipelines';
import { MgmtHarness, RequestOptions, startMgmtHarness } from '../helpers/mgmt-harness';

// Who may do what: every actor (admin, an editor and a viewer of each of two teams, no token, a bad
// token, a revoked token) against every endpoint, each with the status it must get. Other teams'
// pipelines must be indistinguishable from missing ones.

type ActorName = 'admin' | 'editorA' | 'editorB' | 'viewerA' | 'viewerB' | 'none' | 'bad' | 'revoked';
const ACTORS: ActorName[] = ['admin', 'editorA', 'editorB', 'viewerA', 'viewerB', 'none', 'bad', 'revoked'];
const TEAM_A = 'team-a';
const TEAM_B = 'team-b';

interface Ctx {
  h: MgmtHarness;
  index: string;
  pa: Pipeline;
  pb: Pipeline;
}

interface Endpoint {
  name: string;
  method: string;
  /** The request; may prepare what it needs (a fresh pipeline to delete, a token to revoke). */
  request(
    ctx: Ctx,
    row: string,
  ): Promise<{ path: string; body?: unknown }> | { path: string; body?: unknown };
  /** Expected status for the five real actors; no, bad and revoked tokens get `anonymous`. */
  expect: Record<'admin' | 'editorA' | 'editorB' | 'viewerA' | 'viewerB', number>;
  /** Status for no / bad / revoked token (401 for everything under /api). */
  anonymous?: number;
}

const P = '/api/v1/pipelines';
const all = (status: number) => ({
  admin: status,
  editorA: status,
  editorB: status,
  viewerA: status,
  viewerB: status,
});
// Changing a pipeline: admins any, editors their own team's (another team's: 404), viewers never (403).
const change = (team: 'A' | 'B') => ({
  admin: 200,
  editorA: team === 'A' ? 200 : 404,
  editorB: team === 'B' ? 200 : 404,
  viewerA: 403,
  viewerB: 403,
});
const read = (team: 'A' | 'B') => ({
  admin: 200,
  editorA: team === 'A' ? 200 : 404,
  editorB: team === 'B' ? 200 : 404,
  viewerA: team === 'A' ? 200 : 404,
  viewerB: team === 'B' ? 200 : 404,
});

/** A stopped pipeline of a team, made by the admin for one row to delete. */
async function freshPipeline(ctx: Ctx, team: string): Promise<Pipeline> {
  const res = await ctx.h.api<Pipeline>('POST', P, {
    body: { name: ctx.h.newName(), index: ctx.index, team, status: 'stopped', partitions: 1 },
  });
  expect(res.status).toBe(201);
  return res.body;
}

async function freshToken(ctx: Ctx, role: string, team: string | null): Promise<string> {
  const res = await ctx.h.api<{ id: string }>('POST', '/api/v1/tokens', {
    body: { name: `victim-${randomBytes(4).toString('hex')}`, role, team },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

const ENDPOINTS: Endpoint[] = [
  {
    name: 'create a pipeline (own team)',
    method: 'POST',
    request: (c) => ({
      path: P,
      body: { name: c.h.newName(), index: c.index, status: 'stopped', partitions: 1 },
    }),
    expect: { admin: 201, editorA: 201, editorB: 201, viewerA: 403, viewerB: 403 },
  },
  {
    name: 'create a pipeline for team B',
    method: 'POST',
    request: (c) => ({
      path: P,
      body: { name: c.h.newName(), index: c.index, status: 'stopped', partitions: 1, team: TEAM_B },
    }),
    expect: { admin: 201, editorA: 403, editorB: 201, viewerA: 403, viewerB: 403 },
  },
  { name: 'list pipelines', method: 'GET', request: () => ({ path: P }), expect: all(200) },
  { name: 'get A', method: 'GET', request: (c) => ({ path: `${P}/${c.pa.id}` }), expect: read('A') },
  { name: 'get B', method: 'GET', request: (c) => ({ path: `${P}/${c.pb.id}` }), expect: read('B') },
  {
    name: 'get a missing id',
    method: 'GET',
    request: () => ({ path: `${P}/${randomUUID()}` }),
    expect: all(404),
  },
  {
    name: 'replace A',
    method: 'PUT',
    request: (c, row) => ({ path: `${P}/${c.pa.id}`, body: { index: c.index, description: row } }),
    expect: change('A'),
  },
  {
    name: 'replace B',
    method: 'PUT',
    request: (c, row) => ({ path: `${P}/${c.pb.id}`, body: { index: c.index, description: row } }),
    expect: change('B'),
  },
  {
    name: 'patch A',
    method: 'PATCH',
    request: (c, row) => ({ path: `${P}/${c.pa.id}`, body: { description: `p ${row}` } }),
    expect: change('A'),
  },
  {
    name: 'patch B',
    method: 'PATCH',
    request: (c, row) => ({ path: `${P}/${c.pb.id}`, body: { description: `p ${row}` } }),
    expect: change('B'),
  },
  {
    name: 'set status of A',
    method: 'PUT',
    request: (c) => ({ path: `${P}/${c.pa.id}/status`, body: { status: 'stopped' } }),
    expect: change('A'),
  },
  {
    name: 'set status of B',
    method: 'PUT',
    request: (c) => ({ path: `${P}/${c.pb.id}/status`, body: { status: 'stopped' } }),
    expect: change('B'),
  },
  {
    name: 'delete a pipeline of A',
    method: 'DELETE',
    request: async (c) => ({ path: `${P}/${(await freshPipeline(c, TEAM_A)).id}` }),
    expect: { ...change('A'), admin: 204, editorA: 204 },
  },
  {
    name: 'delete a pipeline of B',
    method: 'DELETE',
    request: async (c) => ({ path: `${P}/${(await freshPipeline(c, TEAM_B)).id}` }),
    expect: { ...change('B'), admin: 204, editorB: 204 },
  },
  {
    name: 'tasks of A',
    method: 'GET',
    request: (c) => ({ path: `${P}/${c.pa.id}/tasks` }),
    expect: read('A'),
  },
  {
    name: 'tasks of B',
    method: 'GET',
    request: (c) => ({ path: `${P}/${c.pb.id}/tasks` }),
    expect: read('B'),
  },
  {
    name: 'mint a viewer token for A',
    method: 'POST',
    request: (_c, row) => ({
      path: '/api/v1/tokens',
      body: { name: `v-${row}`, role: 'viewer', team: TEAM_A },
    }),
    expect: { admin: 201, editorA: 201, editorB: 403, viewerA: 403, viewerB: 403 },
  },
  {
    name: 'mint an editor token for A',
    method: 'POST',
    request: (_c, row) => ({
      path: '/api/v1/tokens',
      body: { name: `e-${row}`, role: 'editor', team: TEAM_A },
    }),
    expect: { admin: 201, editorA: 201, editorB: 403, viewerA: 403, viewerB: 403 },
  },
  {
    name: 'mint an admin token',
    method: 'POST',
    request: (_c, row) => ({ path: '/api/v1/tokens', body: { name: `a-${row}`, role: 'admin' } }),
    expect: { admin: 201, editorA: 403, editorB: 403, viewerA: 403, viewerB: 403 },
  },
  {
    name: 'list tokens',
    method: 'GET',
    request: () => ({ path: '/api/v1/tokens' }),
    expect: { admin: 200, editorA: 200, editorB: 200, viewerA: 403, viewerB: 403 },
  },
  {
    name: 'revoke a viewer token of A',
    method: 'DELETE',
    request: async (c) => ({ path: `/api/v1/tokens/${await freshToken(c, 'viewer', TEAM_A)}` }),
    expect: { admin: 204, editorA: 204, editorB: 404, viewerA: 403, viewerB: 403 },
  },
  {
    name: 'revoke an admin token',
    method: 'DELETE',
    request: async (c) => ({ path: `/api/v1/tokens/${await freshToken(c, 'admin', null)}` }),
    expect: { admin: 204, editorA: 404, editorB: 404, viewerA: 403, viewerB: 403 },
  },
  {
    name: 'read the audit log',
    method: 'GET',
    request: () => ({ path: '/api/v1/audit' }),
    expect: { admin: 200, editorA: 403, editorB: 403, viewerA: 403, viewerB: 403 },
  },
  { name: 'health', method: 'GET', request: () => ({ path: '/health' }), expect: all(200), anonymous: 200 },
  { name: 'ready', method: 'GET', request: () => ({ path: '/ready' }), expect: all(200), anonymous: 200 },
  {
    name: 'openapi',
    method: 'GET',
    request: () => ({ path: '/openapi.json' }),
    expect: all(200),
    anonymous: 200,
  },
];

const ROWS = ENDPOINTS.flatMap((e) =>
  ACTORS.map((actor) => {
    const status =
      actor === 'none' || actor === 'bad' || actor === 'revoked' ? (e.anonymous ?? 401) : e.expect[actor];
    return [`${e.method} ${e.name} as ${actor} -> ${status}`, e, actor, status] as const;
  }),
);

describe('authorisation matrix: role x team x endpoint', () => {
  let ctx: Ctx;
  const tokens = {} as Record<ActorName, string | null>;

  beforeAll(async () => {
    const h = await startMgmtHarness();
    const index = await h.newIndex();
    const mk = async (team: string) =>
      (
        await h.api<Pipeline>('POST', P, {
          body: { name: h.newName(), index, team, status: 'stopped', partitions: 1 },
        })
      ).body;
    ctx = { h, index, pa: await mk(TEAM_A), pb: await mk(TEAM_B) };
    tokens.admin = h.adminToken;
    tokens.editorA = await h.mint({ name: 'editor-a', role: 'editor', team: TEAM_A });
    tokens.editorB = await h.mint({ name: 'editor-b', role: 'editor', team: TEAM_B });
    tokens.viewerA = await h.mint({ name: 'viewer-a', role: 'viewer', team: TEAM_A });
    tokens.viewerB = await h.mint({ name: 'viewer-b', role: 'viewer', team: TEAM_B });
    tokens.none = null;
    // Well-formed, but never minted.
    tokens.bad = `sdp_${randomUUID().replace(/-/g, '')}_${randomBytes(32).toString('base64url')}`;
    tokens.revoked = await h.mint({ name: 'editor-a-old', role: 'editor', team: TEAM_A });
    const listed = await h.api<{ items: Array<{ id: string; name: string }> }>('GET', '/api/v1/tokens');
    const old = listed.body.items.find((t) => t.name === 'editor-a-old');
    expect((await h.api('DELETE', `/api/v1/tokens/${old?.id}`)).status).toBe(204);
  });
  afterAll(async () => {
    await ctx?.h.stop();
  });

  it.each(ROWS)('%s', async (name, endpoint, actor, status) => {
    const { path, body } = await endpoint.request(ctx, name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60));
    const options: RequestOptions = { token: tokens[actor], ...(body === undefined ? {} : { body }) };
    const res = await ctx.h.api<{ code?: string; message?: string }>(endpoint.method, path, options);
    expect({ status: res.status, body: res.status >= 400 ? res.body : undefined }).toMatchObject({ status });
    if (status >= 400) {
      expect(typeof res.body.code).toBe('string');
      expect(typeof res.body.message).toBe('string');
    }
    if (status === 401) {
      expect(res.body.code).toBe('unauthenticated');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="sdp"/);
    }
    if (status === 403) expect(res.body.code).toBe('forbidden');
  });

  it("answers another team's pipeline exactly like a missing one", async () => {
    const missing = randomUUID();
    for (const [what, path] of [
      ['get', ''],
      ['tasks', '/tasks'],
    ] as const) {
      const other = await ctx.h.api<Record<string, unknown>>('GET', `${P}/${ctx.pb.id}${path}`, {
        token: tokens.editorA,
      });
      const none = await ctx.h.api<Record<string, unknown>>('GET', `${P}/${missing}${path}`, {
        token: tokens.editorA,
      });
      const shape = (r: typeof other, id: string) => ({
        status: r.status,
        headers: [...r.headers.keys()].filter((k) => !['date', 'x-request-id', 'content-length'].includes(k)),
        body: { ...r.body, message: String(r.body.message).replace(id, '<id>'), requestId: '<rid>' },
      });
      expect({ what, ...shape(other, ctx.pb.id) }).toEqual({ what, ...shape(none, missing) });
    }
  });

  it("lists only the caller's team's pipelines; admins see all", async () => {
    const teams = async (actor: ActorName) => {
      const res = await ctx.h.api<{ items: Pipeline[] }>('GET', `${P}?limit=500`, { token: tokens[actor] });
      return [...new Set(res.body.items.map((p) => p.team))].sort();
    };
    expect(await teams('admin')).toEqual([null, TEAM_A, TEAM_B]); // null: made by the team-less bootstrap admin
    expect(await teams('editorA')).toEqual([TEAM_A]);
    expect(await teams('viewerB')).toEqual([TEAM_B]);
    const filtered = await ctx.h.api<{ items: Pipeline[] }>('GET', `${P}?team=${TEAM_B}`, {
      token: tokens.viewerA,
    });
    expect(filtered.body.items).toEqual([]);
  });

  it("records the creator, and puts an editor's pipeline in the editor's team", async () => {
    const res = await ctx.h.api<Pipeline>('POST', P, {
      body: { name: ctx.h.newName(), index: ctx.index, status: 'stopped', partitions: 1 },
      token: tokens.editorB,
    });
    expect(res.body).toMatchObject({ team: TEAM_B, createdBy: 'editor-b', updatedBy: 'editor-b' });
    const own = await ctx.h.api<Pipeline>('POST', P, {
      body: { name: ctx.h.newName(), index: ctx.index, status: 'stopped', partitions: 1, team: TEAM_B },
      token: tokens.editorB,
    });
    expect(own.status).toBe(201);
  });

  it("lets an editor see only its team's editor and viewer tokens, never a secret", async () => {
    const res = await ctx.h.api<{ items: Array<Record<string, unknown>> }>(
      'GET',
      '/api/v1/tokens?limit=500',
      {
        token: tokens.editorA,
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const t of res.body.items) {
      expect(t).toMatchObject({ team: TEAM_A });
      expect(['editor', 'viewer']).toContain(t.role);
      expect(Object.keys(t).sort()).toEqual(
        ['createdAt', 'createdBy', 'id', 'name', 'revokedAt', 'revokedBy', 'role', 'team'].sort(),
      );
    }
    const text = JSON.stringify(res.body);
    for (const secret of Object.values(tokens)) if (secret) expect(text).not.toContain(secret);
  });
});

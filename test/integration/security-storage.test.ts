import { createHash } from 'node:crypto';
import type { Pipeline } from '../../server/common/pipelines';
import { createDatabase } from '../../server/common/db/knex';
import { MIGRATION_CONFIG } from '../../server/common/db/migrate';
import type { AuditEntry } from '../../server/pipeline-mgmt/interfaces/auditLog';
import { createTestDatabase, pipelineRowAt001 } from '../helpers';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('tokens at rest and the audit log', () => {
  let h: MgmtHarness;
  let index: string;

  beforeAll(async () => {
    h = await startMgmtHarness();
    index = await h.newIndex();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('stores only the SHA-256 of each token: no plaintext anywhere in the tokens or audit tables', async () => {
    const minted: string[] = [];
    for (const [name, role, team] of [
      ['store-admin', 'admin', null],
      ['store-editor', 'editor', 'team-s'],
      ['store-viewer', 'viewer', 'team-s'],
    ] as const) {
      minted.push(await h.mint({ name, role, team }));
    }
    // An editor mints one too, and one is revoked.
    minted.push(await h.mint({ name: 'store-viewer-2', role: 'viewer' }, minted[1]));
    const list = await h.api<{ items: Array<{ id: string; name: string }> }>('GET', '/api/v1/tokens');
    const victim = list.body.items.find((t) => t.name === 'store-viewer-2');
    expect((await h.api('DELETE', `/api/v1/tokens/${victim?.id}`)).status).toBe(204);

    const rows = (await h.db('api_tokens').select('*')) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(4);
    const dump = JSON.stringify([rows, await h.db('audit_log').select('*')]);
    for (const token of [...minted, h.adminToken]) {
      const secretPart = token.split('_').pop() as string;
      expect(dump).not.toContain(token);
      expect(dump).not.toContain(secretPart);
    }
    for (const token of minted) {
      const row = rows.find((r) => r.token_hash === sha256(token));
      expect(row).toBeDefined();
      expect(String(row?.token_hash)).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(rows.find((r) => r.name === 'store-viewer-2')).toMatchObject({
      team: 'team-s',
      created_by: 'store-editor',
      revoked_by: 'bootstrap-admin',
      active: null,
    });
    // The revoked one no longer works; a live one still does.
    expect((await h.api('GET', '/api/v1/pipelines', { token: minted[3] })).status).toBe(401);
    expect((await h.api('GET', '/api/v1/pipelines', { token: minted[2] })).status).toBe(200);
  });

  it('refuses a second live token of the same name; a revoked name can be used again', async () => {
    await h.mint({ name: 'dup', role: 'viewer', team: 'x' });
    const again = await h.api('POST', '/api/v1/tokens', { body: { name: 'dup', role: 'viewer', team: 'x' } });
    expect(again).toMatchObject({ status: 409, body: { code: 'token_exists' } });
    const id = (
      await h.api<{ items: Array<{ id: string; name: string }> }>('GET', '/api/v1/tokens')
    ).body.items.find((t) => t.name === 'dup')?.id;
    expect((await h.api('DELETE', `/api/v1/tokens/${id}`)).status).toBe(204);
    expect((await h.api('DELETE', `/api/v1/tokens/${id}`)).status).toBe(204); // repeat: no-op
    expect(
      (await h.api('POST', '/api/v1/tokens', { body: { name: 'dup', role: 'viewer', team: 'x' } })).status,
    ).toBe(201);
    const withRevoked = await h.api<{ items: Array<{ name: string; revokedAt: string | null }> }>(
      'GET',
      '/api/v1/tokens?includeRevoked=true&limit=500',
    );
    expect(withRevoked.body.items.filter((t) => t.name === 'dup').map((t) => t.revokedAt === null)).toEqual([
      false,
      true,
    ]);
  });

  it('audits every change: who, what, when, version before and after; newest first, paged', async () => {
    const editor = await h.mint({ name: 'audit-editor', role: 'editor', team: 'team-audit' });
    const since = new Date(Date.now() - 1000).toISOString();
    const name = h.newName();
    const created = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
      body: { name, index, partitions: 1, status: 'stopped' },
      token: editor,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await h.api('PATCH', `/api/v1/pipelines/${id}`, { body: { description: 'new' }, token: editor });
    await h.api('PATCH', `/api/v1/pipelines/${id}`, { body: { description: 'new' }, token: editor }); // no change
    await h.api('PUT', `/api/v1/pipelines/${id}/status`, { body: { status: 'running' } });
    await h.api('DELETE', `/api/v1/pipelines/${id}?force=true`, { token: editor });

    const res = await h.api<{ items: AuditEntry[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/audit?targetId=${id}`,
    );
    expect(res.status).toBe(200);
    const entries = res.body.items;
    expect(entries.map((e) => [e.action, e.actor.name, e.versionBefore, e.versionAfter])).toEqual([
      ['pipeline.delete', 'audit-editor', 4, null],
      ['pipeline.status', 'bootstrap-admin', 2, 3],
      ['pipeline.update', 'audit-editor', 1, 2],
      ['pipeline.create', 'audit-editor', null, 1],
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({ target: { type: 'pipeline', id, name }, team: 'team-audit' });
      expect(e.at >= since).toBe(true);
      expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(entries[2]?.details).toEqual({ changes: { description: { from: '', to: 'new' } } });
    expect(entries[1]?.details).toEqual({ changes: { status: { from: 'stopped', to: 'running' } } });
    expect(entries[0]?.actor).toMatchObject({ role: 'editor', team: 'team-audit' });
    expect(entries[0]?.actor.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(entries[1]?.actor.tokenId).toBeNull();

    // Token mint and revoke are audited, without the secret.
    const tokenEntries = await h.api<{ items: AuditEntry[] }>(
      'GET',
      '/api/v1/audit?action=token.create&limit=500',
    );
    const mint = tokenEntries.body.items.find((e) => e.target.name === 'audit-editor');
    expect(mint).toMatchObject({
      actor: { name: 'bootstrap-admin' },
      details: { role: 'editor', team: 'team-audit' },
    });
    expect(JSON.stringify(tokenEntries.body)).not.toContain(editor);

    // Paging: one at a time, newest first, the same entries.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: AuditEntry[]; nextCursor: string | null } } = await h.api(
        'GET',
        `/api/v1/audit?limit=1&targetId=${id}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(entries.map((e) => e.id));
    expect((await h.api('GET', '/api/v1/audit?cursor=garbage')).body).toMatchObject({
      code: 'invalid_cursor',
    });
    expect((await h.api('GET', '/api/v1/audit', { token: editor })).status).toBe(403);
  });
});

// Migrations 003-005 up and down, with data in the tables.
describe('migrations 003_api_tokens, 004_audit_log, 005_pipelines_team_index', () => {
  it('create the tokens and audit tables and the team index, and remove them again keeping the pipelines', async () => {
    const tdb = await createTestDatabase();
    const db = createDatabase({ url: tdb.url, poolMax: 2 });
    try {
      await db.migrate.up(MIGRATION_CONFIG); // 001
      await db.migrate.up(MIGRATION_CONFIG); // 002
      const now = new Date();
      await db('pipelines').insert(pipelineRowAt001('p1', 'n1', { team: 't1' }));
      await db.migrate.latest(MIGRATION_CONFIG);
      const token = {
        role: 'viewer',
        team: 't1',
        token_hash: 'a'.repeat(64),
        created_by: 'x',
        created_at: now,
      };
      await db('api_tokens').insert({ id: 'k1', name: 'same', ...token });
      // Two live tokens cannot share a name; a revoked one (active NULL) can.
      await expect(db('api_tokens').insert({ id: 'k2', name: 'same', ...token })).rejects.toMatchObject({
        code: 'ER_DUP_ENTRY',
      });
      await db('api_tokens').insert({ id: 'k3', name: 'same', ...token, active: null, revoked_at: now });
      await db('audit_log').insert({
        at: now,
        actor_name: 'x',
        actor_role: 'admin',
        action: 'token.create',
        target_type: 'token',
        target_id: 'k1',
        target_name: 'same',
        details: '{}',
      });
      expect(await db('api_tokens').count({ n: '*' })).toEqual([{ n: 2 }]);
      expect(await db('audit_log').select('id', 'target_id')).toEqual([{ id: 1, target_id: 'k1' }]);
      const [indexes] = (await db.raw(
        "SHOW INDEX FROM pipelines WHERE Key_name = 'pipelines_team_created_at_id_index'",
      )) as [unknown[]];
      expect(indexes).toHaveLength(3);

      for (const name of ['005_pipelines_team_index', '004_audit_log', '003_api_tokens']) {
        await db.migrate.down({ ...MIGRATION_CONFIG, name });
      }
      expect(await db.schema.hasTable('api_tokens')).toBe(false);
      expect(await db.schema.hasTable('audit_log')).toBe(false);
      const [after] = (await db.raw(
        "SHOW INDEX FROM pipelines WHERE Key_name = 'pipelines_team_created_at_id_index'",
      )) as [unknown[]];
      expect(after).toHaveLength(0);
      expect(await db('pipelines').select('id', 'team')).toEqual([{ id: 'p1', team: 't1' }]);
    } finally {
      await db.destroy();
      await tdb.drop();
    }
  });
});

import type { Pipeline } from '../../server/common/pipelines';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

jest.setTimeout(60_000);

interface Version {
  version: number;
  by: string;
  action: string;
  pipeline: Pipeline;
}

// Versions, diff and rollback on the real pipeline-mgmt (MariaDB; topics and index for real).
describe('pipeline versions: list, get, diff, rollback', () => {
  let h: MgmtHarness;
  let p: Pipeline;
  let viewer: string;
  const base = () => `/api/v1/pipelines/${p.id}`;

  beforeAll(async () => {
    h = await startMgmtHarness();
    viewer = await h.mint({ name: 'viewer-v', role: 'viewer', team: 'shop' });
    const index = await h.newIndex();
    const created = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
      body: { name: h.newName(), index, team: 'shop', description: 'first', flush: { items: 100 } },
    });
    expect(created.status).toBe(201);
    p = created.body;
    expect(
      (await h.api('PATCH', base(), { body: { description: 'second', flush: { items: 200 } } })).status,
    ).toBe(200);
    expect((await h.api('PUT', `${base()}/status`, { body: { status: 'stopped' } })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('keeps one version per change, newest first, paged, each the whole pipeline as it was', async () => {
    const page = await h.api<{ items: Version[]; next: number | null }>('GET', `${base()}/versions?limit=2`, {
      token: viewer,
    });
    expect(page.status).toBe(200);
    expect(page.body.items.map((v) => [v.version, v.action, v.by])).toEqual([
      [3, 'pipeline.status', 'bootstrap-admin'],
      [2, 'pipeline.update', 'bootstrap-admin'],
    ]);
    expect(page.body.next).toBe(2);
    const older = await h.api<{ items: Version[]; next: number | null }>(
      'GET',
      `${base()}/versions?limit=2&before=2`,
    );
    expect(older.body).toMatchObject({ items: [{ version: 1, action: 'pipeline.create' }], next: null });
    const v1 = await h.api<Version>('GET', `${base()}/versions/1`, { token: viewer });
    expect(v1.body.pipeline).toMatchObject({
      id: p.id,
      version: 1,
      description: 'first',
      flush: { items: 100 },
      status: 'running',
    });
  });

  it('diffs two versions field by field', async () => {
    const d = await h.api<{ changes: unknown[] }>('GET', `${base()}/versions/1/diff?to=3`, { token: viewer });
    expect(d.status).toBe(200);
    expect(d.body).toEqual({
      from: 1,
      to: 3,
      changes: [
        { path: 'description', from: 'first', to: 'second' },
        { path: 'flush.items', from: 100, to: 200 },
        { path: 'status', from: 'running', to: 'stopped' },
      ],
    });
  });

  it("rolls back to version 1's settings as a new version (the status stays), audited; again: no change", async () => {
    const denied = await h.api<{ code: string }>('POST', `${base()}/versions/1/rollback`, { token: viewer });
    expect([denied.status, denied.body.code]).toEqual([403, 'forbidden']);
    const r = await h.api<{ changed: boolean; pipeline: Pipeline }>('POST', `${base()}/versions/1/rollback`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      changed: true,
      pipeline: { version: 4, description: 'first', flush: { items: 100 }, status: 'stopped' },
    });
    const again = await h.api<{ changed: boolean; pipeline: Pipeline }>(
      'POST',
      `${base()}/versions/1/rollback`,
    );
    expect(again.body).toMatchObject({ changed: false, pipeline: { version: 4 } });
    const audit = await h.api<{ items: Array<{ action: string; versionAfter: number; details: unknown }> }>(
      'GET',
      `/api/v1/audit?targetId=${p.id}&action=pipeline.update`,
    );
    expect(audit.body.items[0]).toMatchObject({
      versionAfter: 4,
      details: { changes: { description: { from: 'second', to: 'first' } } },
    });
  });

  it('answers 404 for a version that does not exist or is not a number, and for a pipeline of another team', async () => {
    for (const path of [
      `${base()}/versions/99`,
      `${base()}/versions/abc`,
      `${base()}/versions/1/diff?to=42`,
    ]) {
      const res = await h.api<{ code: string }>('GET', path);
      expect([path, res.status, res.body.code]).toEqual([path, 404, 'version_not_found']);
    }
    const other = await h.mint({ name: 'viewer-other', role: 'viewer', team: 'other' });
    const res = await h.api<{ code: string }>('GET', `${base()}/versions`, { token: other });
    expect([res.status, res.body.code]).toEqual([404, 'pipeline_not_found']);
  });
});

import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

// pipeline-mgmt pointed at an OpenSearch that is not there (a closed port): readiness and create say so.
describe('pipeline-mgmt with OpenSearch unreachable', () => {
  let h: MgmtHarness;

  beforeAll(async () => {
    h = await startMgmtHarness({}, { SDP_OPENSEARCH_URL: 'http://127.0.0.1:9' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('GET /ready is 503 naming what failed', async () => {
    const res = await h.api<{ code: string; failed: string[]; checks: Record<string, { ok: boolean }> }>(
      'GET',
      '/ready',
    );
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'not_ready', failed: ['opensearch'] });
    expect(res.body.checks.mariadb?.ok).toBe(true);
    expect(res.body.checks.kafka?.ok).toBe(true);
  });

  it('GET /health still answers', async () => {
    expect((await h.api('GET', '/health')).status).toBe(200);
  });

  it('create is 503 opensearch_unavailable and leaves no row and no topics', async () => {
    const name = h.newName();
    const res = await h.api('POST', '/api/v1/pipelines', { body: { name, index: 'any-index' } });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'opensearch_unavailable' });
    expect(await h.db('pipelines').where({ name })).toEqual([]);
    expect(await h.topicsOf(name)).toEqual([]);
  });
});

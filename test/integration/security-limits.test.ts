import type { RequestHandler } from 'express';
import { waitFor } from '../helpers';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

describe('per-token rate limit', () => {
  let h: MgmtHarness;
  beforeAll(async () => {
    h = await startMgmtHarness(
      {},
      { SDP_SERVER_RATE_LIMIT_PER_SEC: '0.5', SDP_SERVER_RATE_LIMIT_BURST: '3' },
    );
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('answers 429 rate_limited with Retry-After once a token has spent its burst, per token, then recovers', async () => {
    // Minting spends one of the admin's three.
    const viewer = await h.mint({ name: 'limited', role: 'viewer', team: 'rl' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await h.api('GET', '/api/v1/pipelines', { token: viewer })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await h.api<{ code: string; message: string }>('GET', '/api/v1/pipelines', {
      token: viewer,
    });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'rate_limited', message: expect.any(String) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another token has its own bucket; open routes and bad credentials are not counted against it.
    expect((await h.api('GET', '/api/v1/audit')).status).toBe(200);
    expect((await h.api('GET', '/health', { token: viewer })).status).toBe(200);
    expect((await h.api('GET', '/api/v1/pipelines', { token: `${viewer}x` })).status).toBe(401);
    // One every two seconds refills it.
    await waitFor(async () => (await h.api('GET', '/api/v1/pipelines', { token: viewer })).status === 200, {
      timeoutMs: 8000,
      intervalMs: 250,
      what: 'the bucket to refill',
    });
  });
});

describe('the /metrics hook', () => {
  const metricsHandler: RequestHandler = (_req, res) => {
    res.type('text/plain').send('sdp_up 1\n');
  };

  it.each([
    ['false', 200],
    ['true', 401],
  ])(
    'server.metricsRequireAuth=%s: /metrics without a token is %d, with any token 200',
    async (flag, anonymous) => {
      const h = await startMgmtHarness({ metricsHandler }, { SDP_SERVER_METRICS_REQUIRE_AUTH: flag });
      try {
        const viewer = await h.mint({ name: 'scraper', role: 'viewer', team: 'ops' });
        expect((await h.api('GET', '/metrics', { token: null })).status).toBe(anonymous);
        const res = await h.api('GET', '/metrics', { token: viewer });
        expect(res).toMatchObject({ status: 200, body: 'sdp_up 1\n' });
        expect((await h.api('GET', '/metrics', { token: 'not-a-token-at-all' })).status).toBe(anonymous);
      } finally {
        await h.stop();
      }
    },
  );

  it('serves the Prometheus registry when no other handler is wired', async () => {
    const h = await startMgmtHarness();
    try {
      const res = await h.api('GET', '/metrics', { token: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatch(/^# TYPE sdp_mgmt_http_requests_total counter$/m);
    } finally {
      await h.stop();
    }
  });
});

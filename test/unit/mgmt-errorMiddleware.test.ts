import express, { ErrorRequestHandler } from 'express';
import { NotFoundError, RateLimitedError } from '../../server/common/errors';
import { createErrorMiddleware } from '../../server/common/http/errorMiddleware';
import { closeServer, listen } from '../../server/common/http/listen';
import { createRequestContext } from '../../server/common/http/requestContext';
import {
  createRateLimit,
  createTokenBucketLimiter,
} from '../../server/pipeline-mgmt/driveradapters/rateLimit';
import { testLogger } from '../helpers';

/** Serves `build`'s routes behind the request context and the one error middleware; returns a fetch for paths. */
async function serve(build: (app: express.Express) => void, after?: ErrorRequestHandler) {
  const app = express();
  app.use(createRequestContext(testLogger()));
  build(app);
  app.use(createErrorMiddleware(testLogger()));
  if (after) app.use(after);
  const { server, port } = await listen(app, 0, '127.0.0.1');
  return {
    get: (path: string) => fetch(`http://127.0.0.1:${port}${path}`),
    close: () => closeServer(server),
  };
}

describe('the error middleware', () => {
  it('maps RateLimitedError to 429 rate_limited with Retry-After and the shared body', async () => {
    const s = await serve((app) => {
      app.get('/limited', () => {
        throw new RateLimitedError('slow down', 7);
      });
    });
    try {
      const res = await s.get('/limited');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual({ code: 'rate_limited', message: 'slow down', requestId: expect.any(String) });
      expect(body.requestId).toBe(res.headers.get('x-request-id'));
    } finally {
      await s.close();
    }
  });

  it('the rate limit passes a RateLimitedError on instead of answering itself', async () => {
    const limiter = createTokenBucketLimiter({ ratePerSec: 1, burst: 1, nowSec: () => 0 });
    const seen: unknown[] = [];
    const s = await serve((app) => {
      app.use((_req, res, next) => {
        res.locals.actor = { user: 'u', role: 'viewer', team: 't', tokenId: 'tok' };
        next();
      });
      app.use(createRateLimit({ limiter }));
      app.use(((err, _req, _res, next) => {
        seen.push(err);
        next(err);
      }) as ErrorRequestHandler);
      app.get('/x', (_req, res) => {
        res.json({ ok: true });
      });
    });
    try {
      expect((await s.get('/x')).status).toBe(200);
      const limited = await s.get('/x');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toBeInstanceOf(RateLimitedError);
    } finally {
      await s.close();
    }
  });

  it('hands an error to Express when the response has already started', async () => {
    const passedOn: unknown[] = [];
    const s = await serve(
      (app) => {
        app.get('/half', (_req, res, next) => {
          res.status(200).write('partial');
          next(new NotFoundError('too late'));
        });
      },
      (err, _req, res, _next) => {
        passedOn.push(err);
        res.end();
      },
    );
    try {
      const res = await s.get('/half');
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('partial');
      expect(passedOn).toHaveLength(1);
      expect(passedOn[0]).toBeInstanceOf(NotFoundError);
    } finally {
      await s.close();
    }
  });
});

import express, { Request, RequestHandler, Router } from 'express';
import { UnsupportedMediaTypeError } from '../../common/errors';
import type { IngestService } from '../interfaces/ingestService';
import { actorFrom, parseId } from './http';
import { INGEST_JSON_TYPES, NDJSON_TYPES, recordsOf } from './ingestBody';
import { route } from './routing';
import { ROUTES } from './routes';
import type { Validators } from './validation';

export interface IngestRouterDeps {
  ingest: IngestService;
  validators: Validators;
  /** server.maxIngestMiB: the largest body, compressed and after decompression. */
  maxIngestMiB: number;
}

function bodyTypeOf(req: Request): 'json' | 'ndjson' | undefined {
  if (req.is(NDJSON_TYPES)) return 'ndjson';
  if (req.is(INGEST_JSON_TYPES)) return 'json';
  return undefined;
}

/**
 * Before any of the body is read: a media type we do not take is a 415, and a Content-Length over
 * the limit (compressed or not) a 413. The limit applies again to the decompressed body as it is read.
 */
function checkBefore(limit: number): RequestHandler {
  return (req, res, next) => {
    const type = bodyTypeOf(req);
    if (!type) {
      const sent = req.headers['content-type'] ?? 'none';
      next(
        new UnsupportedMediaTypeError(
          `content type ${sent.slice(0, 100)} is not accepted; send application/json or application/x-ndjson`,
        ),
      );
      return;
    }
    res.locals.ingestType = type;
    const declared = Number(req.headers['content-length'] ?? 0);
    next(
      declared > limit
        ? Object.assign(new Error('too large'), { type: 'entity.too.large', status: 413 })
        : undefined,
    );
  };
}

/** POST /api/v1/pipelines/{id}/records: HTTP ingest, mounted before the JSON body parser of /api/v1/pipelines. */
export function createIngestRouter({ ingest, validators, maxIngestMiB }: IngestRouterDeps): Router {
  const router = express.Router();
  const spec = ROUTES.ingestRecords;
  const limit = maxIngestMiB * 1024 * 1024;
  router.param('id', parseId('pipeline'));
  route(
    router,
    spec,
    checkBefore(limit),
    express.raw({ type: () => true, limit, inflate: true }),
    async (req, res) => {
      const q = validators.query(spec.query, req.query as Record<string, unknown>);
      const type = res.locals.ingestType as 'json' | 'ndjson';
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const records = recordsOf(body, type);
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      const reply = await ingest.ingest({
        pipelineId: String(req.params.id),
        actor: actorFrom(res),
        records,
        waitMs: q.wait === 'indexed' ? q.timeout : undefined,
        signal: gone.signal,
      });
      if (reply.kind === 'accepted') {
        res.status(202).json({ accepted: reply.accepted, topic: reply.topic });
        return;
      }
      res.status(reply.complete ? 200 : 202).json({ results: reply.results });
    },
  );
  return router;
}

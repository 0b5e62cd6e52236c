import express, { Router } from 'express';
import type { Replay } from '../../common/replays';
import type { ReplayService } from '../interfaces/replayService';
import { actorFrom, parseId } from './http';
import { route } from './routing';
import { ROUTES } from './routes';
import type { Validators } from './validation';

/** A replay as the API shows it. */
export function replayView(r: Replay) {
  return {
    id: r.id,
    pipelineId: r.pipelineId,
    status: r.status,
    filter: r.filter,
    dryRun: r.options.dryRun,
    maxRecords: r.options.maxRecords,
    ratePerSec: r.options.ratePerSec,
    counts: r.counters,
    startOffsets: r.startOffsets,
    endOffsets: r.endOffsets,
    positions: r.positions,
    worker: r.ownerWorker ? { id: r.ownerWorker, heartbeatAt: r.heartbeatAt } : null,
    claims: r.claims,
    reason: r.reason,
    createdBy: r.createdBy,
    startedAt: r.createdAt,
    endedAt: r.endedAt,
    ...(r.options.dryRun ? { dryRunReport: r.report } : {}),
  };
}

/** /api/v1/pipelines/{id}/replays: start, list, read and cancel replays of failed records. */
export function createReplaysRouter({
  replays,
  validators,
}: {
  replays: ReplayService;
  validators: Validators;
}): Router {
  const router = express.Router();
  router.param('id', parseId('pipeline'));
  router.param('rid', parseId('replay'));
  const r = ROUTES;
  route(router, r.createReplay, async (req, res) => {
    const body = validators.body(r.createReplay.body, req.body ?? {});
    const replay = await replays.create(
      String(req.params.id),
      {
        filter: body.filter ?? {},
        dryRun: body.dryRun ?? false,
        maxRecords: body.maxRecords,
        ratePerSec: body.ratePerSec,
      },
      actorFrom(res),
    );
    res.status(202).location(`/api/v1/pipelines/${replay.pipelineId}/replays/${replay.id}`);
    res.json(replayView(replay));
  });
  route(router, r.listReplays, async (req, res) => {
    const q = validators.query(r.listReplays.query, req.query as Record<string, unknown>);
    const page = await replays.list(
      String(req.params.id),
      { limit: q.limit, cursor: q.cursor, status: q.status },
      actorFrom(res),
    );
    res.json({ items: page.items.map(replayView), nextCursor: page.nextCursor });
  });
  route(router, r.getReplay, async (req, res) => {
    res.json(replayView(await replays.get(String(req.params.id), String(req.params.rid), actorFrom(res))));
  });
  route(router, r.cancelReplay, async (req, res) => {
    res.json(replayView(await replays.cancel(String(req.params.id), String(req.params.rid), actorFrom(res))));
  });
  return router;
}

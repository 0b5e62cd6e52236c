import type { Request, RequestHandler, RequestParamHandler, Response } from 'express';
import {
  NotFoundError,
  PreconditionFailedError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
} from '../../common/errors';
import type { Pipeline } from '../../common/pipelines';
import type { Actor } from '../interfaces/actor';
import type { VersionPrecondition } from '../interfaces/pipelineService';

/**
 * Who is calling: the principal the bearer token authenticated (set by auth.ts). A handler reached
 * without one is refused, so a route mounted outside the authenticated prefix fails closed.
 */
export function actorFrom(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw new UnauthenticatedError();
  return actor;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The `:id` parameter of a router whose ids are UUIDs (`router.param('id', parseId('pipeline'))`):
 * anything else cannot name a `kind`, so it is a 404 `<kind>_not_found` before access or body
 * are looked at.
 */
export function parseId(kind: 'pipeline' | 'token' | 'replay'): RequestParamHandler {
  return (_req, _res, next, id: string) => {
    next(
      UUID.test(id)
        ? undefined
        : new NotFoundError(`no ${kind} with id "${id.slice(0, 100)}"`, `${kind}_not_found`),
    );
  };
}

/** The ETag of a pipeline: its version, as a strong entity tag. */
export const etagOf = (p: Pipeline) => `"${p.version}"`;

/** Parses `If-Match`: `*`, or a list of entity tags; a tag that is not one of our versions never matches. */
export function preconditionFrom(req: Request): VersionPrecondition | undefined {
  const raw = req.header('if-match');
  if (raw === undefined) return undefined;
  if (raw.trim() === '*') return { kind: 'any' };
  const versions: number[] = [];
  for (const part of raw.split(',')) {
    const m = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(part) ?? /^\s*(\d{1,15})\s*$/.exec(part);
    if (m?.[1]) versions.push(Number(m[1]));
  }
  if (versions.length === 0) {
    throw new PreconditionFailedError(`If-Match ${JSON.stringify(raw.slice(0, 100))} matches no version`);
  }
  return { kind: 'versions', versions };
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/** A body in another media type is refused (415) before it is read. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is(JSON_TYPES)) {
    const type = req.headers['content-type'] ?? 'none';
    next(
      new UnsupportedMediaTypeError(
        `content type ${type.slice(0, 100)} is not accepted; send application/json`,
      ),
    );
    return;
  }
  next();
};

export const jsonTypes = JSON_TYPES;

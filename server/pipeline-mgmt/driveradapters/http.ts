import type { Request, RequestHandler } from 'express';
import { InputError, PreconditionFailedError, UnsupportedMediaTypeError } from '../../common/errors';
import type { Pipeline } from '../../common/pipelines';
import type { Actor, VersionPrecondition } from '../interfaces/pipelineService';

const USER_HEADER = 'x-sdp-user';
const USER_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]{0,198}[\x21-\x7e])?$/;

/**
 * Who is calling. There is no authentication yet: the `X-Sdp-User` header, else `anonymous`.
 * The one place the bearer-token issue will replace.
 */
export function actorFrom(req: Request): Actor {
  const raw = req.header(USER_HEADER);
  if (raw === undefined || raw.trim() === '') return { user: 'anonymous' };
  const user = raw.trim();
  if (!USER_PATTERN.test(user)) {
    throw new InputError(
      'X-Sdp-User must be 1-200 printable ASCII characters',
      { header: 'X-Sdp-User' },
      'invalid_user',
    );
  }
  return { user };
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

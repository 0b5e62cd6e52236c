import type { RequestHandler, Response } from 'express';
import { ForbiddenError, UnauthenticatedError } from '../../common/errors';
import type { TokenService } from '../interfaces/tokenService';
import { canIngest, hasRole } from '../logics/access';
import { BEARER_TOKEN, MAX_TOKEN_LENGTH } from '../logics/tokenSecrets';
import { actorFrom } from './http';
import type { Access } from './routes';

const BEARER = /^Bearer +(\S+) *$/i;

/** The token of an `Authorization: Bearer <token>` header, or undefined when it is missing or malformed. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
  if (token === undefined || token.length > MAX_TOKEN_LENGTH || !BEARER_TOKEN.test(token)) return undefined;
  return token;
}

function refuse(res: Response, message: string, invalidToken: boolean): UnauthenticatedError {
  // RFC 6750 section 3: tell the client which scheme to use (and, for a bad token, that it is one).
  res.setHeader('WWW-Authenticate', `Bearer realm="sdp"${invalidToken ? ', error="invalid_token"' : ''}`);
  return new UnauthenticatedError(message);
}

/**
 * Authenticates the bearer token and leaves the principal in `res.locals.actor`. No token, a
 * malformed header, and an unknown, revoked or wrong token are all 401; nothing says which.
 */
export function createAuthenticate({
  tokens,
}: {
  tokens: Pick<TokenService, 'authenticate'>;
}): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) {
      next(refuse(res, 'this endpoint needs Authorization: Bearer <token>', false));
      return;
    }
    const token = bearerTokenOf(header);
    const actor = token === undefined ? undefined : await tokens.authenticate(token);
    if (!actor) {
      next(refuse(res, 'the bearer token is not valid', true));
      return;
    }
    res.locals.actor = { ...actor, requestId: res.locals.requestId as string | undefined };
    next();
  };
}

/** The route table's access rule: the caller's role must reach the route's least role (else 403). */
export function requireAccess(access: Access): RequestHandler {
  return (_req, res, next) => {
    if (access === 'public') {
      next();
      return;
    }
    const actor = actorFrom(res);
    if (access === 'ingest') {
      next(
        canIngest(actor) ? undefined : new ForbiddenError('this needs the producer, editor or admin role'),
      );
      return;
    }
    next(hasRole(actor, access) ? undefined : new ForbiddenError(`this needs the ${access} role or more`));
  };
}

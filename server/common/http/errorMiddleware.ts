import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger';
import {
  ConflictError,
  DependencyError,
  ForbiddenError,
  InputError,
  NotFoundError,
  PreconditionFailedError,
  RateLimitedError,
  SdpError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
} from '../errors';

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
  requestId?: string;
}

function statusFor(err: SdpError): number {
  if (err instanceof InputError) return 400;
  if (err instanceof UnauthenticatedError) return 401;
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  if (err instanceof PreconditionFailedError) return 412;
  if (err instanceof UnsupportedMediaTypeError) return 415;
  if (err instanceof RateLimitedError) return 429;
  if (err instanceof DependencyError) return 503;
  return 500;
}

/** body-parser's errors carry `type` and `status`; map them to our stable codes. */
function fromBodyParser(err: {
  type?: string;
  status?: number;
  message?: string;
}): [number, ErrorBody] | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return [400, { code: 'malformed_json', message: 'request body is not valid JSON' }];
    case 'entity.too.large':
      return [413, { code: 'payload_too_large', message: 'request body is too large' }];
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return [415, { code: 'unsupported_media_type', message: err.message ?? 'unsupported encoding' }];
    case 'request.aborted':
      return [400, { code: 'request_aborted', message: 'request was aborted' }];
    default:
      if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
        return [err.status, { code: 'bad_request', message: err.message ?? 'bad request' }];
      }
      return undefined;
  }
}

/** Headers an error's status comes with. */
function headersFor(err: SdpError): Record<string, string> {
  if (err instanceof RateLimitedError) return { 'Retry-After': String(err.retryAfterSec) };
  return {};
}

/**
 * The one place errors become HTTP responses. Logs only 5xx. A response already under way is
 * left to Express (`next(err)`), which ends the connection.
 */
export function createErrorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const requestId = res.locals.requestId as string | undefined;
    let status = 500;
    let body: ErrorBody = { code: 'internal_error', message: 'internal error' };
    let headers: Record<string, string> = {};
    if (err instanceof SdpError) {
      status = statusFor(err);
      body = { code: err.code, message: err.message, details: err.details };
      headers = headersFor(err);
    } else if (typeof err === 'object' && err !== null) {
      const mapped = fromBodyParser(err as { type?: string; status?: number });
      if (mapped) [status, body] = mapped;
    }
    if (status >= 500) {
      logger.error({ err, requestId, method: req.method, path: req.path }, 'request failed');
      if (status === 503 && err instanceof SdpError) body = { code: err.code, message: err.message };
    }
    if (res.headersSent) {
      next(err);
      return;
    }
    res
      .status(status)
      .set(headers)
      .json({ ...body, requestId });
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`no route for ${req.method} ${req.path}`, 'route_not_found'));
};

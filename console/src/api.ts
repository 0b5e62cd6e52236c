import { getToken } from './session';

/** An error answer of the REST API (or no answer at all: status 0), as the user should see it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

let onUnauthenticated: (() => void) | null = null;

/** Called when a signed-in call answers 401 (the token was revoked or expired). */
export function setUnauthenticatedHandler(fn: (() => void) | null): void {
  onUnauthenticated = fn;
}

export interface CallOptions {
  body?: unknown;
  /** Use this token instead of the session's (sign-in checks a token before keeping it). */
  token?: string;
}

/** One call of the public REST API, same origin, with the bearer token. */
export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const token = options.token ?? getToken();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'network', `pipeline-mgmt did not answer (${(e as Error).message})`);
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!res.ok) {
    const e = (parsed ?? {}) as { code?: string; message?: string; details?: unknown; requestId?: string };
    const err = new ApiError(
      res.status,
      e.code ?? `http_${res.status}`,
      e.message ?? (text.slice(0, 200) || res.statusText),
      e.details,
      e.requestId ?? res.headers.get('x-request-id') ?? undefined,
    );
    if (res.status === 401 && options.token === undefined) onUnauthenticated?.();
    throw err;
  }
  return parsed as T;
}

/** The API's paths (from the public /openapi.json), so pages of later features show only when they exist. */
let paths: Promise<Set<string>> | null = null;
export function apiPaths(): Promise<Set<string>> {
  paths ??= call<{ paths?: Record<string, unknown> }>('GET', '/openapi.json')
    .then((doc) => new Set(Object.keys(doc.paths ?? {})))
    .catch(() => {
      paths = null;
      return new Set<string>();
    });
  return paths;
}

/** A failure the CLI reports in one line and exits non-zero for. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface ApiClientOptions {
  url: string;
  token?: string;
}

interface ErrorBody {
  code?: string;
  message?: string;
  details?: Array<{ path?: string; message?: string }> | unknown;
}

/** One line for an API error: the status, code and message, and each field path for validation errors. */
export function describeApiError(status: number, body: unknown): string {
  const b = (typeof body === 'object' && body !== null ? body : {}) as ErrorBody;
  const head = `${status} ${b.code ?? 'error'}: ${b.message ?? 'the server gave no reason'}`;
  const fields = Array.isArray(b.details)
    ? (b.details as Array<{ path?: string; message?: string }>)
        .filter((d) => d && typeof d.path === 'string')
        .map((d) => `${d.path} ${d.message ?? ''}`.trim())
    : [];
  return fields.length > 0 ? `${head} (${fields.join('; ')})` : head;
}

/** pipeline-mgmt's REST API as the CLI uses it: JSON in and out, every failure a CliError. */
export function createApiClient({ url, token }: ApiClientOptions) {
  const base = url.replace(/\/+$/, '');
  async function call<T>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; expect?: number[] } = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    if (!token) throw new CliError('no API token: set SDP_TOKEN or pass --token');
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new CliError(`cannot reach pipeline-mgmt at ${base} (${why})`);
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text
    }
    const ok = options.expect ?? [200, 201, 202, 204];
    if (!ok.includes(res.status))
      throw new CliError(`${method} ${path}: ${describeApiError(res.status, body)}`);
    return { status: res.status, body: body as T, headers: res.headers };
  }
  return { call, base };
}

export type ApiClient = ReturnType<typeof createApiClient>;

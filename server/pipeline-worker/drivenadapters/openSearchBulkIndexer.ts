import type { Client } from '@opensearch-project/opensearch';
import { AbortedError } from '../../common/retry';
import { BulkAction, BulkIndexer, BulkItemResult, BulkRequestError } from '../interfaces/bulkIndexer';

interface BulkItemBody {
  status?: number;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } };
}

interface BulkResponseBody {
  errors?: boolean;
  items?: Array<Record<string, BulkItemBody>>;
}

/** Reads status and the error's type/reason from an OpenSearch error, whatever shape it has. */
function describeFailure(e: unknown): { status?: number; type?: string; reason: string } {
  const err = e as {
    name?: string;
    message?: string;
    meta?: { statusCode?: number; body?: unknown };
  };
  const status = typeof err?.meta?.statusCode === 'number' ? err.meta.statusCode : undefined;
  const body = err?.meta?.body as
    { error?: { type?: string; reason?: string } | string } | string | undefined;
  let type: string | undefined;
  let reason = `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`;
  if (body && typeof body === 'object' && body.error) {
    if (typeof body.error === 'string') reason = body.error;
    else {
      type = body.error.type;
      reason = body.error.reason ?? reason;
    }
  }
  return { status, type, reason };
}

/**
 * The NDJSON body of `actions`, an `index` line and the document line for each, as one buffer:
 * documents held as bytes are copied in once, never turned into text.
 */
export function bulkBody(actions: BulkAction[]): Buffer {
  // No actions: a lone newline, which OpenSearch refuses as a request with no requests added.
  if (actions.length === 0) return Buffer.from('\n');
  const heads: string[] = new Array<string>(actions.length);
  let size = 0;
  let index: string | null = null;
  let indexJson = '';
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    if (a.index !== index) {
      index = a.index;
      indexJson = JSON.stringify(a.index);
    }
    const head = `{"index":{"_index":${indexJson},"_id":${JSON.stringify(a.id)}}}\n`;
    heads[i] = head;
    size += Buffer.byteLength(head) + byteLengthOf(a.source) + 1;
  }
  const body = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < actions.length; i++) {
    at += body.write(heads[i]!, at, 'utf8');
    const source = actions[i]!.source;
    at += typeof source === 'string' ? body.write(source, at, 'utf8') : source.copy(body, at);
    body[at++] = 0x0a;
  }
  return body;
}

function byteLengthOf(source: Buffer | string): number {
  return typeof source === 'string' ? Buffer.byteLength(source) : source.length;
}

/**
 * One `_bulk` request per call, on `client.bulk` (not `helpers.bulk`, which can drop documents). The
 * response's items are zipped with the actions that produced them; a response whose item count does
 * not match is treated as a failed request.
 */
export function createOpenSearchBulkIndexer({
  client,
  timeoutMs,
}: {
  client: Client;
  timeoutMs?: number;
}): BulkIndexer {
  return {
    async bulk<A extends BulkAction>(actions: A[], signal?: AbortSignal): Promise<BulkItemResult<A>[]> {
      if (signal?.aborted) throw new AbortedError();
      const request = client.bulk(
        { body: bulkBody(actions), filter_path: 'errors,items.*.status,items.*.error' } as never,
        timeoutMs ? { requestTimeout: timeoutMs } : undefined,
      ) as Promise<{ body: BulkResponseBody }> & { abort?: () => void };
      const onAbort = () => request.abort?.();
      signal?.addEventListener('abort', onAbort, { once: true });
      let body: BulkResponseBody;
      try {
        body = (await request).body;
      } catch (e) {
        if (signal?.aborted) throw new AbortedError();
        const f = describeFailure(e);
        throw new BulkRequestError(`bulk request failed${f.status ? ` (${f.status})` : ''}: ${f.reason}`, {
          status: f.status,
          errorType: f.type,
          cause: e,
        });
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      const items = body?.items ?? [];
      if (items.length !== actions.length) {
        throw new BulkRequestError(
          `bulk response has ${items.length} items for ${actions.length} actions`,
          {},
        );
      }
      return actions.map((action, i) => {
        const entry = items[i]!;
        const item = entry.index ?? Object.values(entry)[0] ?? {};
        const error = item.error
          ? {
              type: item.error.type ?? 'unknown',
              reason:
                [item.error.reason, item.error.caused_by?.reason].filter(Boolean).join(': ') || 'unknown',
            }
          : undefined;
        return { action, status: item.status, error };
      });
    },
  };
}

import { ApiError } from '../api';

/** An API error as the user sees it: the message, the stable code, the HTTP status, the request id. */
export function ErrorBanner({ error, what }: { error: ApiError | Error | null; what?: string }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  return (
    <div class="error-banner" role="alert">
      <strong>{what ?? 'The request failed'}:</strong> {error.message}
      {api ? (
        <span class="error-meta">
          {' '}
          ({api.status ? `HTTP ${api.status}, ` : ''}
          <code>{api.code}</code>
          {api.requestId ? (
            <>
              , request <code>{api.requestId}</code>
            </>
          ) : null}
          )
        </span>
      ) : null}
      {api?.details !== undefined ? (
        <pre class="error-details">{JSON.stringify(api.details, null, 2)}</pre>
      ) : null}
    </div>
  );
}

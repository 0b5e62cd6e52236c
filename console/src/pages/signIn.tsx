import { useState } from 'preact/hooks';
import { ApiError, call } from '../api';
import { ErrorBanner } from '../components/errorBanner';

/**
 * Sign-in with an API token: checked with one GET /api/v1/pipelines (any role may list), then kept
 * for this browser session only. The field is a password field and never lands in the URL.
 */
export function SignIn({
  onSignedIn,
  notice,
}: {
  onSignedIn: (token: string) => void;
  notice?: string | null;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError(new ApiError(0, 'token_required', 'enter an API token'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await call('GET', '/api/v1/pipelines?limit=1', { token: t });
      setToken('');
      onSignedIn(t);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="signin">
      <h1>sdp console</h1>
      <p>Sign in with an API token (viewer, editor or admin). It is kept for this browser tab only.</p>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={submit} method="post" action="#" autocomplete="off">
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          autofocus
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      <ErrorBanner error={error} what="Sign-in failed" />
    </main>
  );
}

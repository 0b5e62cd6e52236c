import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setUnauthenticatedHandler } from './api';
import { AuditPage } from './pages/audit';
import { PipelineDetail } from './pages/pipelineDetail';
import { PipelineList } from './pages/pipelineList';
import { SignIn } from './pages/signIn';
import { hrefOf, Route, useRoute } from './route';
import { clearToken, getToken, setToken } from './session';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'pipelines':
      return <PipelineList />;
    case 'pipeline':
      return <PipelineDetail key={route.id} id={route.id} />;
    case 'audit':
      return <AuditPage />;
    default:
      return (
        <main id="main">
          <h1>Not found</h1>
          <p>
            No console page at <code>{route.hash}</code>. <a href={hrefOf.pipelines()}>Pipelines</a>
          </p>
        </main>
      );
  }
}

function App() {
  const [token, setTokenState] = useState<string | null>(getToken());
  const [notice, setNotice] = useState<string | null>(null);
  const route = useRoute();

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      clearToken();
      setTokenState(null);
      setNotice('Your token is no longer accepted (revoked or expired): sign in again.');
    });
    return () => setUnauthenticatedHandler(null);
  }, []);

  if (!token)
    return (
      <SignIn
        notice={notice}
        onSignedIn={(t) => {
          setToken(t);
          setNotice(null);
          setTokenState(t);
        }}
      />
    );

  const current = route.page === 'audit' ? 'audit' : 'pipelines';
  return (
    <>
      <nav class="top" aria-label="Console">
        <span class="brand">sdp console</span>
        <a href={hrefOf.pipelines()} aria-current={current === 'pipelines' ? 'page' : undefined}>
          Pipelines
        </a>
        <a href={hrefOf.audit()} aria-current={current === 'audit' ? 'page' : undefined}>
          Audit
        </a>
        <a href="/openapi.json" target="_blank" rel="noreferrer">
          API
        </a>
        <button
          type="button"
          class="signout"
          onClick={() => {
            clearToken();
            setTokenState(null);
          }}
        >
          Sign out
        </button>
      </nav>
      <Page route={route} />
    </>
  );
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}

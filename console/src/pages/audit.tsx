import { ErrorBanner } from '../components/errorBanner';
import { call } from '../api';
import { fmtAgo } from '../format';
import { hrefOf } from '../route';
import type { AuditEntry, Page } from '../types';
import { usePoll } from '../usePoll';

/** The newest audit entries (GET /api/v1/audit, admins only: others see the API's 403). */
export function AuditPage() {
  const polled = usePoll(() => call<Page<AuditEntry>>('GET', '/api/v1/audit?limit=100'), []);
  const items = polled.data?.items ?? [];
  return (
    <main id="main">
      <h1>Audit log</h1>
      <ErrorBanner error={polled.error} what="Could not load the audit log" />
      {polled.data && items.length === 0 ? <p class="muted">Nothing changed yet.</p> : null}
      {items.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Version</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td title={e.at}>{fmtAgo(e.at)}</td>
                <td>
                  {e.actor.name} <span class="muted">({e.actor.role})</span>
                </td>
                <td>{e.action}</td>
                <td>
                  {e.target.type === 'pipeline' ? (
                    <a href={hrefOf.pipeline(e.target.id)}>{e.target.name}</a>
                  ) : (
                    e.target.name
                  )}{' '}
                  <span class="muted">{e.target.type}</span>
                </td>
                <td>
                  {e.versionBefore ?? '–'} → {e.versionAfter ?? '–'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </main>
  );
}

import { useState } from 'preact/hooks';
import { ErrorBanner } from '../components/errorBanner';
import { StatusBadge } from '../components/statusBadge';
import { fmtAgo, fmtNumber, fmtPercent, lagTrend } from '../format';
import { filterAndSort, ListFilter, STATE_ORDER } from '../pipelineFilter';
import { loadPipelineRows } from '../pipelinesData';
import { hrefOf } from '../route';
import { usePoll } from '../usePoll';
import type { ObservedState } from '../types';

/** The pipelines the caller may see: observed status, lag and trend, rates, last flush; failures first. */
export function PipelineList() {
  const polled = usePoll(loadPipelineRows, []);
  const [filter, setFilter] = useState<ListFilter>({ status: '', team: '', search: '' });
  const rows = polled.data?.rows ?? [];
  const teams = [...new Set(rows.map((r) => r.pipeline.team).filter((t): t is string => t !== null))].sort();
  const shown = filterAndSort(rows, filter);
  const counts = Object.fromEntries(
    STATE_ORDER.map((s) => [s, rows.filter((r) => r.pipeline.observed.status === s).length]),
  );

  return (
    <main id="main">
      <h1>Pipelines</h1>
      <p class="summary" aria-live="polite">
        {rows.length} pipelines
        {STATE_ORDER.filter((s) => counts[s]).map((s) => (
          <span key={s} class={`count count-${s}`}>
            {counts[s]} {s}
          </span>
        ))}
        {polled.at ? <span class="muted"> · updated {fmtAgo(new Date(polled.at).toISOString())}</span> : null}
      </p>
      <ErrorBanner error={polled.error} what="Could not load the pipelines" />
      <div class="filters" role="search">
        <label>
          Search by name{' '}
          <input
            type="search"
            name="search"
            value={filter.search}
            onInput={(e) => setFilter({ ...filter, search: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          Status{' '}
          <select
            name="status"
            value={filter.status}
            onChange={(e) =>
              setFilter({ ...filter, status: (e.target as HTMLSelectElement).value as ObservedState | '' })
            }
          >
            <option value="">all</option>
            {STATE_ORDER.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Team{' '}
          <select
            name="team"
            value={filter.team}
            onChange={(e) => setFilter({ ...filter, team: (e.target as HTMLSelectElement).value })}
          >
            <option value="">all</option>
            <option value="-">no team</option>
            {teams.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      </div>
      {polled.data?.truncated ? (
        <p class="notice">Only the first pipelines are shown; narrow the search to see others.</p>
      ) : null}
      {polled.loading && !polled.data ? <p aria-busy="true">Loading…</p> : null}
      {polled.data && shown.length === 0 ? <p class="muted">No pipeline matches.</p> : null}
      {shown.length > 0 ? (
        <table class="pipelines">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Team</th>
              <th scope="col">Observed status</th>
              <th scope="col" class="num">
                Lag
              </th>
              <th scope="col">Lag trend</th>
              <th scope="col" class="num">
                Records/s
              </th>
              <th scope="col" class="num">
                Error rate
              </th>
              <th scope="col">Last flush</th>
              <th scope="col">Desired</th>
            </tr>
          </thead>
          <tbody>
            {shown.map(({ pipeline: p, lastFlushAt }) => {
              const trend = lagTrend(p.observed.lagGrowthPerMin);
              return (
                <tr key={p.id} data-pipeline={p.name}>
                  <th scope="row">
                    <a href={hrefOf.pipeline(p.id)}>{p.name}</a>
                  </th>
                  <td>{p.team ?? <span class="muted">none</span>}</td>
                  <td>
                    <StatusBadge status={p.observed.status} reason={p.observed.reason} />
                  </td>
                  <td class="num">{fmtNumber(p.observed.lag)}</td>
                  <td class={trend.cls}>
                    <span aria-hidden="true">{trend.arrow}</span> {trend.label}
                  </td>
                  <td class="num">{fmtNumber(p.observed.recordsPerSec)}</td>
                  <td class="num">{fmtPercent(p.observed.errorRate)}</td>
                  <td>{fmtAgo(lastFlushAt)}</td>
                  <td>{p.status}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </main>
  );
}

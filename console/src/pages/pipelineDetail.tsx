import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiPaths, call } from '../api';
import { ConfirmDialog } from '../components/confirmDialog';
import { ErrorBanner } from '../components/errorBanner';
import { ProcessorList } from '../components/processorList';
import { StatusBadge } from '../components/statusBadge';
import { TimeChart } from '../components/timeChart';
import { fmtAgo, fmtBytes, fmtNumber, fmtPercent, fmtSeconds, lagTrend } from '../format';
import { historyOf, record } from '../history';
import { hrefOf } from '../route';
import { CHART_WINDOW_MS } from '../settings';
import type { Pipeline, Task } from '../types';
import { usePoll } from '../usePoll';
import { availableTabs, PipelineTab } from './pipelineTabs';

async function loadDetail(id: string): Promise<{ pipeline: Pipeline; tasks: Task[] }> {
  const path = `/api/v1/pipelines/${encodeURIComponent(id)}`;
  const [pipeline, tasks] = await Promise.all([
    call<Pipeline>('GET', path),
    call<{ items: Task[] }>('GET', `${path}/tasks`),
  ]);
  record(id, Date.now(), pipeline.observed.lag, pipeline.observed.recordsPerSec);
  return { pipeline, tasks: tasks.items };
}

/** One pipeline: live observed status, configuration, tasks per worker, lag and rate chart, start / stop. */
export function PipelineDetail({ id }: { id: string }) {
  const polled = usePoll(() => loadDetail(id), [id]);
  const [confirming, setConfirming] = useState<'running' | 'stopped' | null>(null);
  const [actionError, setActionError] = useState<{ error: ApiError; what: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tabs, setTabs] = useState<PipelineTab[]>([]);
  useEffect(() => {
    void apiPaths().then((paths) => setTabs(availableTabs(paths)));
  }, []);

  const p = polled.data?.pipeline;
  const setStatus = async (status: 'running' | 'stopped') => {
    setConfirming(null);
    setBusy(true);
    setActionError(null);
    setNotice(null);
    try {
      const updated = await call<Pipeline>('PUT', `/api/v1/pipelines/${encodeURIComponent(id)}/status`, {
        body: { status },
      });
      setNotice(`Desired status is now ${updated.status} (version ${updated.version}).`);
      polled.reload();
    } catch (e) {
      setActionError({
        error: e as ApiError,
        what: `Could not ${status === 'stopped' ? 'stop' : 'start'} the pipeline`,
      });
    } finally {
      setBusy(false);
    }
  };

  if (!p) {
    return (
      <main id="main">
        <p>
          <a href={hrefOf.pipelines()}>← Pipelines</a>
        </p>
        <h1>Pipeline</h1>
        <ErrorBanner error={polled.error} what="Could not load the pipeline" />
        {polled.loading ? <p aria-busy="true">Loading…</p> : null}
      </main>
    );
  }

  const o = p.observed;
  const trend = lagTrend(o.lagGrowthPerMin);
  const history = historyOf(id);
  const now = polled.at ?? Date.now();
  const target = p.status === 'running' ? 'stopped' : 'running';
  return (
    <main id="main">
      <p>
        <a href={hrefOf.pipelines()}>← Pipelines</a>
      </p>
      <header class="detail-head">
        <h1>{p.name}</h1>
        <StatusBadge status={o.status} reason={o.reason} />
        <span class="muted">desired: {p.status}</span>
        <button
          type="button"
          class={target === 'stopped' ? 'danger' : 'primary'}
          disabled={busy}
          onClick={() => setConfirming(target)}
        >
          {target === 'stopped' ? 'Stop' : 'Start'}
        </button>
      </header>
      {p.description ? <p>{p.description}</p> : null}
      <div aria-live="polite">
        {notice ? (
          <p class="notice" role="status">
            {notice}
          </p>
        ) : null}
      </div>
      <ErrorBanner error={actionError?.error ?? null} what={actionError?.what} />
      <ErrorBanner error={polled.error} what="Could not refresh (showing the last answer)" />

      <section aria-labelledby="live">
        <h2 id="live">Live</h2>
        <dl class="facts">
          <dt>Tasks</dt>
          <dd>
            {o.tasks.total} total, {o.tasks.live} live, {o.tasks.running} running, {o.tasks.starting}{' '}
            starting, {o.tasks.failed} failed
          </dd>
          <dt>Lag</dt>
          <dd>
            {fmtNumber(o.lag)} records{' '}
            <span class={trend.cls}>
              <span aria-hidden="true">{trend.arrow}</span> {trend.label}
            </span>
          </dd>
          <dt>Records/s</dt>
          <dd>{fmtNumber(o.recordsPerSec)}</dd>
          <dt>Error rate</dt>
          <dd>{fmtPercent(o.errorRate)}</dd>
          <dt>Oldest heartbeat</dt>
          <dd>{fmtSeconds(o.heartbeatAgeSec)}</dd>
          <dt>Updated</dt>
          <dd>{fmtAgo(new Date(now).toISOString(), Date.now())}</dd>
        </dl>
        <div class="charts">
          <TimeChart title="Lag" unit="records" samples={history.lag} windowMs={CHART_WINDOW_MS} now={now} />
          <TimeChart
            title="Indexed"
            unit="records/s"
            samples={history.rate}
            windowMs={CHART_WINDOW_MS}
            now={now}
          />
        </div>
        <p class="muted small">
          The API reports current values; the charts show what this tab saw since it opened (up to an hour).
        </p>
      </section>

      <section aria-labelledby="tasks">
        <h2 id="tasks">Tasks</h2>
        <TaskTable tasks={polled.data?.tasks ?? []} />
      </section>

      <section aria-labelledby="config">
        <h2 id="config">Configuration</h2>
        <dl class="facts">
          <dt>Index</dt>
          <dd>
            <code>{p.index}</code>
          </dd>
          <dt>Team</dt>
          <dd>{p.team ?? 'none'}</dd>
          <dt>Topics</dt>
          <dd>
            {Object.entries(p.topics).map(([k, v]) => (
              <div key={k}>
                {k}: <code>{v}</code>
              </div>
            ))}
          </dd>
          <dt>Partitions</dt>
          <dd>
            {p.partitions} (replication {p.replicationFactor})
          </dd>
          <dt>Flush</dt>
          <dd>
            {Object.entries(p.flush)
              .map(([k, v]) => `${k} ${v === null ? 'server default' : String(v)}`)
              .join(', ')}
          </dd>
          <dt>Document id field</dt>
          <dd>{p.idField ?? 'none (OpenSearch assigns ids)'}</dd>
          <dt>Output topic</dt>
          <dd>{p.outputEnabled ? 'on' : 'off'}</dd>
          <dt>Version</dt>
          <dd>
            {p.version}, updated {fmtAgo(p.updatedAt)} by {p.updatedBy} (created by {p.createdBy})
          </dd>
          {p.processors !== undefined ? (
            <>
              <dt>Processors</dt>
              <dd>
                <ProcessorList processors={p.processors} />
              </dd>
            </>
          ) : null}
        </dl>
      </section>

      {tabs.map((t) => (
        <section key={t.id} aria-label={t.label}>
          <h2>{t.label}</h2>
          <t.component pipeline={p} />
        </section>
      ))}

      {confirming ? (
        <ConfirmDialog
          title={confirming === 'stopped' ? `Stop ${p.name}?` : `Start ${p.name}?`}
          message={
            confirming === 'stopped'
              ? 'Workers stop consuming its input topic; records wait in Kafka until it is started again.'
              : 'Workers pick it up and consume its input topic from the committed offsets.'
          }
          confirmLabel={confirming === 'stopped' ? 'Stop pipeline' : 'Start pipeline'}
          onConfirm={() => void setStatus(confirming)}
          onCancel={() => setConfirming(null)}
        />
      ) : null}
    </main>
  );
}

function TaskTable({ tasks }: { tasks: Task[] }) {
  if (tasks.length === 0) return <p class="muted">No task reported: no worker runs this pipeline.</p>;
  return (
    <table class="tasks">
      <thead>
        <tr>
          <th scope="col">Worker</th>
          <th scope="col">State</th>
          <th scope="col">Partitions (lag)</th>
          <th scope="col" class="num">
            Records/s
          </th>
          <th scope="col" class="num">
            CPU
          </th>
          <th scope="col" class="num">
            Memory
          </th>
          <th scope="col">Heartbeat</th>
          <th scope="col" class="num">
            Restarts
          </th>
          <th scope="col">Last flush</th>
          <th scope="col">Last error</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr key={t.workerId} data-worker={t.workerId}>
            <th scope="row">
              {t.workerId}
              {t.host ? <div class="muted small">{t.host}</div> : null}
            </th>
            <td>
              <span class={`badge badge-${t.state}`}>{t.state}</span>
              {t.live ? null : <span class="reason">not live</span>}
            </td>
            <td>
              {t.partitionLag
                ? t.partitionLag.map((x) => `${x.partition} (${x.lag})`).join(', ')
                : t.assignedPartitions.join(', ') || 'none'}
            </td>
            <td class="num">{fmtNumber(t.recordsPerSec)}</td>
            <td class="num">{t.cpuPercent === null ? '–' : `${fmtNumber(t.cpuPercent)} %`}</td>
            <td class="num">{fmtBytes(t.rssBytes)}</td>
            <td>{fmtSeconds(t.heartbeatAgeSec)} ago</td>
            <td class="num">{t.restartCount}</td>
            <td>{fmtAgo(t.lastFlushAt)}</td>
            <td class="error-text">{t.lastError ?? <span class="muted">none</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

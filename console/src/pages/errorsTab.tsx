import { useState } from 'preact/hooks';
import { call } from '../api';
import { ErrorBanner } from '../components/errorBanner';
import { fmtAgo } from '../format';
import type { Pipeline } from '../types';
import { usePoll } from '../usePoll';

interface ErrorItem {
  partition: number;
  offset: string;
  timestamp: string;
  envelope: { stage?: string; errorType?: string; reason?: string; attempts?: number; value?: string } | null;
}

const STAGES = ['', 'parse', 'validate', 'transform', 'schema', 'index'];

/** The pipeline's failed records (GET .../errors): newest first, filtered by stage, each envelope inspectable. */
export function ErrorsTab({ pipeline }: { pipeline: Pipeline }) {
  const [stage, setStage] = useState('');
  const polled = usePoll(
    () =>
      call<{ items: ErrorItem[]; nextCursor: string | null }>(
        'GET',
        `/api/v1/pipelines/${encodeURIComponent(pipeline.id)}/errors?limit=50${stage ? `&stage=${stage}` : ''}`,
      ),
    [pipeline.id, stage],
  );
  const items = polled.data?.items ?? [];
  return (
    <div class="errors-tab">
      <label>
        Stage{' '}
        <select value={stage} onChange={(e) => setStage((e.target as HTMLSelectElement).value)}>
          {STAGES.map((s) => (
            <option key={s} value={s}>
              {s || 'all'}
            </option>
          ))}
        </select>
      </label>
      <ErrorBanner error={polled.error} what="Could not read the failed records" />
      {polled.data && items.length === 0 ? (
        <p class="muted">No failed records{stage ? ` at stage ${stage}` : ''}.</p>
      ) : null}
      {items.length > 0 ? (
        <table class="errors">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Partition / offset</th>
              <th scope="col">Stage</th>
              <th scope="col">Type</th>
              <th scope="col">Reason and record</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={`${i.partition}:${i.offset}`} data-error={`${i.partition}:${i.offset}`}>
                <td title={i.timestamp}>{fmtAgo(i.timestamp)}</td>
                <td>
                  {i.partition} / {i.offset}
                </td>
                <td>{i.envelope?.stage ?? '–'}</td>
                <td>{i.envelope?.errorType ?? '–'}</td>
                <td>
                  <details>
                    <summary>{i.envelope?.reason ?? 'no envelope'}</summary>
                    <pre>{JSON.stringify(i.envelope, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {polled.data?.nextCursor ? (
        <p class="muted small">Older records exist: the newest 50 are shown.</p>
      ) : null}
    </div>
  );
}

import { useState } from 'preact/hooks';
import { ApiError, call } from '../api';
import { ConfirmDialog } from '../components/confirmDialog';
import { ErrorBanner } from '../components/errorBanner';
import { fmtAgo } from '../format';
import type { Pipeline } from '../types';
import { usePoll } from '../usePoll';

interface Version {
  version: number;
  at: string;
  by: string;
  action: string;
}

interface Diff {
  changes: Array<{ path: string; from?: unknown; to?: unknown }>;
}

const show = (v: unknown) => (v === undefined ? '–' : JSON.stringify(v));

/** Every version (GET .../versions), what each changed from the one before, and rollback with confirmation. */
export function VersionsTab({ pipeline }: { pipeline: Pipeline }) {
  const base = `/api/v1/pipelines/${encodeURIComponent(pipeline.id)}`;
  const polled = usePoll(() => call<{ items: Version[] }>('GET', `${base}/versions?limit=20`), [pipeline.id]);
  const [diff, setDiff] = useState<{ version: number; diff: Diff } | null>(null);
  const [confirm, setConfirm] = useState<number | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const items = polled.data?.items ?? [];

  const showDiff = async (v: number) => {
    setFailure(null);
    try {
      setDiff({ version: v, diff: await call<Diff>('GET', `${base}/versions/${v - 1}/diff?to=${v}`) });
    } catch (e) {
      setFailure(e as ApiError);
    }
  };
  const rollback = async (v: number) => {
    setConfirm(null);
    setFailure(null);
    try {
      const r = await call<{ changed: boolean; pipeline: Pipeline }>(
        'POST',
        `${base}/versions/${v}/rollback`,
      );
      setNotice(
        r.changed
          ? `Rolled back to version ${v}: now version ${r.pipeline.version}.`
          : `Already as in version ${v}.`,
      );
      polled.reload();
    } catch (e) {
      setFailure(e as ApiError);
    }
  };

  return (
    <div class="versions-tab">
      <ErrorBanner error={polled.error ?? failure} what="Versions" />
      {notice ? <p role="status">{notice}</p> : null}
      {polled.data && items.length === 0 ? <p class="muted">No versions recorded yet.</p> : null}
      {items.length > 0 ? (
        <table class="versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Change</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((v) => (
              <tr key={v.version} data-version={v.version}>
                <td>{v.version}</td>
                <td title={v.at}>{fmtAgo(v.at)}</td>
                <td>{v.by}</td>
                <td>{v.action}</td>
                <td>
                  {v.version > 1 ? (
                    <button type="button" onClick={() => void showDiff(v.version)}>
                      What changed
                    </button>
                  ) : null}{' '}
                  {v.version !== pipeline.version ? (
                    <button type="button" onClick={() => setConfirm(v.version)}>
                      Roll back to {v.version}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {diff ? (
        <div class="diff" aria-label={`Changes in version ${diff.version}`}>
          <h3>
            Version {diff.version - 1} → {diff.version}
          </h3>
          {diff.diff.changes.length === 0 ? <p class="muted">No setting changed.</p> : null}
          <ul>
            {diff.diff.changes.map((c) => (
              <li key={c.path}>
                <code>{c.path}</code>: {show(c.from)} → {show(c.to)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {confirm !== null ? (
        <ConfirmDialog
          title={`Roll ${pipeline.name} back to version ${confirm}?`}
          message="Its settings become those of that version (a new version; the status stays). Workers pick the change up at a flush boundary."
          confirmLabel="Roll back"
          onConfirm={() => void rollback(confirm)}
          onCancel={() => setConfirm(null)}
        />
      ) : null}
    </div>
  );
}

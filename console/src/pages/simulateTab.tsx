import { useState } from 'preact/hooks';
import { ApiError, call } from '../api';
import { ErrorBanner } from '../components/errorBanner';
import { parseProcessors, parseRecords } from '../simulateInput';
import type { Pipeline } from '../types';

interface Result {
  status: 'indexed' | 'dropped' | 'failed';
  index?: string;
  id?: string;
  doc?: unknown;
  steps: Array<{ processor: number; op: string; changed: boolean; dropped?: boolean; failed?: boolean }>;
  error?: { stage: string; errorType: string; reason: string };
}

const EXAMPLE = '{"message": "hello"}';

/** What each processor did to a record, in a few words. */
function stepsText(r: Result): string {
  const did = r.steps.filter((s) => s.changed || s.dropped || s.failed);
  if (did.length === 0) return '–';
  return did
    .map((s) => `${s.processor}. ${s.op}: ${s.failed ? 'failed' : s.dropped ? 'dropped' : 'changed'}`)
    .join('; ');
}

/**
 * POST .../simulate: records typed here go through the pipeline's steps (or processors to try)
 * and the live target mapping; nothing is written.
 */
export function SimulateTab({ pipeline }: { pipeline: Pipeline }) {
  const [records, setRecords] = useState(EXAMPLE);
  const [processors, setProcessors] = useState('');
  const [results, setResults] = useState<Result[] | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (e: Event) => {
    e.preventDefault();
    setFailure(null);
    let body: Record<string, unknown>;
    try {
      const tried = parseProcessors(processors);
      body = { records: parseRecords(records), ...(tried ? { processors: tried } : {}) };
    } catch (err) {
      setFailure(new Error((err as Error).message));
      return;
    }
    setBusy(true);
    try {
      const r = await call<{ results: Result[] }>(
        'POST',
        `/api/v1/pipelines/${encodeURIComponent(pipeline.id)}/simulate`,
        { body },
      );
      setResults(r.results);
    } catch (err) {
      setFailure(err as ApiError);
      setResults(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="simulate-tab">
      <form onSubmit={(e) => void run(e)}>
        <label>
          Records (one JSON per line, or a JSON array; at most 100)
          <textarea
            rows={5}
            value={records}
            onInput={(e) => setRecords((e.target as HTMLTextAreaElement).value)}
          />
        </label>
        <label>
          Processors to try instead (a JSON array; empty: the pipeline's own)
          <textarea
            rows={3}
            value={processors}
            onInput={(e) => setProcessors((e.target as HTMLTextAreaElement).value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Simulating…' : 'Simulate'}
        </button>
      </form>
      <ErrorBanner error={failure} what="Could not simulate" />
      {results ? (
        <table class="simulation">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Outcome</th>
              <th scope="col">Index / id</th>
              <th scope="col">Processors</th>
              <th scope="col">Document or reason</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r, i) => (
              <tr key={i} data-status={r.status}>
                <td>{i + 1}</td>
                <td>{r.status}</td>
                <td>{r.index ? `${r.index} / ${r.id}` : '–'}</td>
                <td>{stepsText(r)}</td>
                <td>
                  {r.error ? (
                    <span>
                      {r.error.stage} <code>{r.error.errorType}</code>: {r.error.reason}
                    </span>
                  ) : r.doc !== undefined ? (
                    <code>{JSON.stringify(r.doc)}</code>
                  ) : (
                    '–'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

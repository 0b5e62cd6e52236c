import type { CeilingResult } from './ceiling';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

type Row = [string, string];

function phaseRows(p: Record<string, unknown>): Row[] {
  const rows: Row[] = [
    [`[${String(p.phase)}] sdp, one worker, end to end`, `${p.sdp_docs_per_s} docs/s (incl. start-up)`],
    [`[${String(p.phase)}] sdp, first to last doc`, `${p.sdp_steady_docs_per_s} docs/s`],
    [`[${String(p.phase)}] ratio (steady / ceiling)`, String(p.ratio)],
    [
      `[${String(p.phase)}] worker CPU while draining`,
      `${p.worker_cpu_cores} cores, ${p.cpu_us_per_doc} µs per indexed document`,
    ],
    [`[${String(p.phase)}] worker peak RSS`, `${p.worker_peak_rss_mb} MB`],
    ...(p.bulk_requests !== undefined
      ? [
          [
            `[${String(p.phase)}] bulk requests, mean, in flight`,
            `${p.bulk_requests}, ${p.bulk_mean_ms} ms, ${p.bulk_in_flight_avg} on average (flush ${p.flush_mean_ms} ms)`,
          ] as Row,
        ]
      : []),
    [`[${String(p.phase)}] records valid / invalid`, `${p.valid} / ${p.invalid}`],
    [
      `[${String(p.phase)}] indexed / error records`,
      `${p.indexed} / ${p.error_records}${p.output_records !== undefined ? ` / output ${p.output_records}` : ''} (exact: ${p.exact})`,
    ],
  ];
  if (p.p99_latency_ms !== undefined)
    rows.push(
      [
        `[${String(p.phase)}] latency p50 / p95 / p99`,
        `${p.p50_latency_ms} / ${p.p95_latency_ms} / ${p.p99_latency_ms} ms`,
      ],
      [
        `[${String(p.phase)}] latency load, samples`,
        `${p.latency_rate_docs_per_s} docs/s, ${p.latency_samples} probes`,
      ],
    );
  const peer = p.peer as Record<string, unknown> | undefined;
  if (peer)
    rows.push([
      `[${String(p.phase)}] peer ${String(peer.peer)}, same topic`,
      `${peer.docs_per_s} docs/s, ${peer.cpu_us_per_doc} µs per document, ${peer.peak_rss_mb} MB, ` +
        `${peer.indexed} indexed, not exactly once`,
    ]);
  return rows;
}

export function printReport(
  result: Record<string, unknown>,
  phases: Array<Record<string, unknown>>,
  ceilings: CeilingResult[],
  json: boolean,
): void {
  const rows: Row[] = [
    ['OpenSearch ceiling (direct _bulk)', `${result.ceiling_docs_per_s} docs/s`],
    ...phases.flatMap(phaseRows),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const out = [
    '',
    ...ceilings.map(
      (c) =>
        `ceiling try: batch ${c.batchDocs} x ${c.concurrency} in flight -> ${Math.round(c.docsPerSec)} docs/s`,
    ),
    '',
    ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
    '',
  ];
  process.stdout.write(out.join('\n') + '\n');
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
}

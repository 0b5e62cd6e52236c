import { randomBytes } from 'node:crypto';

const LEVELS = ['info', 'info', 'info', 'warn', 'error', 'debug'];
const SERVICES = ['checkout', 'payments', 'search', 'catalog', 'auth', 'shipping', 'ledger'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const WORDS =
  'request completed upstream timeout retry cache miss user session token refreshed order created payment captured inventory reserved shipment queued'.split(
    ' ',
  );

function pick<T>(arr: readonly T[], n: number): T {
  return arr[n % arr.length] as T;
}

function sentence(seed: number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(pick(WORDS, seed * 7 + i * 13));
  return out.join(' ');
}

/** A realistic log-like JSON record of roughly `targetBytes`, nested fields included. */
export function makeRecord(seq: number, targetBytes: number): Record<string, unknown> {
  const rec: Record<string, unknown> = {
    '@timestamp': new Date().toISOString(),
    seq,
    level: pick(LEVELS, seq),
    service: pick(SERVICES, seq),
    host: `node-${seq % 37}.cluster.local`,
    trace: { id: randomBytes(16).toString('hex'), span: randomBytes(8).toString('hex') },
    http: {
      method: pick(METHODS, seq),
      path: `/api/v2/${pick(SERVICES, seq + 3)}/${seq % 1000}`,
      status: seq % 23 === 0 ? 500 : 200,
      latency_ms: (seq * 7919) % 2000,
      bytes: (seq * 104729) % 65536,
    },
    user: {
      id: `u${seq % 5000}`,
      country: pick(['de', 'fr', 'us', 'jp', 'br'], seq),
      premium: seq % 3 === 0,
    },
    kubernetes: {
      namespace: `team-${seq % 11}`,
      pod: `${pick(SERVICES, seq)}-${seq % 97}`,
      container: 'app',
    },
    tags: [pick(SERVICES, seq + 1), pick(LEVELS, seq + 2)],
    message: '',
  };
  const base = JSON.stringify(rec).length;
  const words = Math.max(1, Math.round((targetBytes - base) / 8));
  rec.message = sentence(seq, words).slice(0, Math.max(1, targetBytes - base));
  return rec;
}

/** Values that must land in the error topic at the parse stage. */
export function makeInvalid(seq: number): Buffer {
  const kinds = [
    () => Buffer.from(`{"seq": ${seq}, "broken": `),
    () => Buffer.from(`[${seq}, 1, 2]`),
    () => Buffer.from(String(seq)),
    () => Buffer.from('not json at all'),
  ];
  return pick(kinds, seq)();
}

export const BENCH_MAPPINGS: Record<string, unknown> = {
  properties: {
    '@timestamp': { type: 'date' },
    seq: { type: 'long' },
    level: { type: 'keyword' },
    service: { type: 'keyword' },
    host: { type: 'keyword' },
    message: { type: 'text' },
    http: {
      properties: { status: { type: 'integer' }, latency_ms: { type: 'long' }, bytes: { type: 'long' } },
    },
  },
};

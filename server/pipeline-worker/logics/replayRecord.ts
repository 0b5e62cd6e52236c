import type { SourceRecord } from '../../common/records';

/** An error envelope (envelopes.ts) parsed: a JSON object, else null. */
export function parseEnvelope(value: Buffer | null): Record<string, unknown> | null {
  if (!value || value.length === 0) return null;
  try {
    const v = JSON.parse(value.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export type RebuiltRecord =
  | {
      /** The record as it was read from the input topic the first time (headers aside: not kept). */
      record: SourceRecord;
      /** Attempts the envelope counts so far. */
      attempts: number;
    }
  | { skip: 'truncated' | 'unreadable'; reason: string };

const DIGITS = /^\d{1,19}$/;

function unreadable(reason: string): RebuiltRecord {
  return { skip: 'unreadable', reason };
}

/**
 * The original record of an error envelope: its topic, partition, offset, timestamp and key from
 * `source`, its value from `value` (UTF-8 text, or base64 when `encoding` says). The id step then
 * gives it the `_id` it would have had the first time (its idField, or `<topic>-<partition>-<offset>`
 * of this origin). A truncated value cannot be replayed: the envelope kept only its start.
 */
export function rebuildSourceRecord(envelope: Record<string, unknown>): RebuiltRecord {
  if (envelope.truncated === true)
    return {
      skip: 'truncated',
      reason: `the error topic kept only part of the value (${String(envelope.originalBytes ?? '?')} bytes)`,
    };
  const s = envelope.source as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return unreadable('no source in the envelope');
  const { topic, partition, offset, timestamp, key, keyEncoding } = s;
  if (typeof topic !== 'string' || topic.length === 0) return unreadable('source.topic is not a topic name');
  if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0)
    return unreadable('source.partition is not a partition');
  const off = typeof offset === 'number' ? String(offset) : offset;
  if (typeof off !== 'string' || !DIGITS.test(off)) return unreadable('source.offset is not an offset');
  const ts = typeof timestamp === 'number' ? String(timestamp) : timestamp;
  if (typeof ts !== 'string' || !/^-?\d{1,19}$/.test(ts)) return unreadable('source.timestamp is not a time');
  if (key !== null && key !== undefined && typeof key !== 'string')
    return unreadable('source.key is not text');
  const keyBuf =
    typeof key === 'string' ? Buffer.from(key, keyEncoding === 'base64' ? 'base64' : 'utf8') : null;
  const v = envelope.value;
  if (v !== null && typeof v !== 'string') return unreadable('value is not text');
  const value = v === null ? null : Buffer.from(v, envelope.encoding === 'base64' ? 'base64' : 'utf8');
  const attempts =
    typeof envelope.attempts === 'number' && Number.isInteger(envelope.attempts) && envelope.attempts > 0
      ? envelope.attempts
      : 1;
  return {
    record: { topic, partition, offset: off, timestamp: ts, key: keyBuf, value },
    attempts,
  };
}

/** The key of a record's origin, to find its earlier attempts again after preparation. */
export function originKey(o: { topic: string; partition: number; offset: number | string }): string {
  return `${o.topic}\u0000${o.partition}\u0000${o.offset}`;
}

import { InputError } from '../../common/errors';
import type { ProducedRecord } from '../interfaces/recordProducer';

export const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json-seq'];
export const INGEST_JSON_TYPES = ['application/json', 'application/*+json'];

const NEWLINE = 0x0a;
const isBlank = (b: Buffer) => b.every((c) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x1e);

/**
 * The records of an NDJSON body: one per non-blank line, each value exactly as sent (the worker
 * checks it, so a bad line fails there with the same reason as a record from Kafka).
 */
export function ndjsonRecords(body: Buffer): ProducedRecord[] {
  const out: ProducedRecord[] = [];
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf(NEWLINE, start);
    if (end === -1) end = body.length;
    let line = body.subarray(start, end);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    if (line.length > 0 && line[0] === 0x1e) line = line.subarray(1); // RFC 7464 record separator
    if (!isBlank(line)) out.push({ value: line });
    start = end + 1;
  }
  return out;
}

/**
 * The records of a JSON body: the body itself when it is one value, else each element of the
 * array. Elements that are not objects are still records: the worker refuses them as it would.
 */
export function jsonRecords(body: Buffer): ProducedRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new InputError(`the body is not valid JSON: ${(e as Error).message}`, undefined, 'malformed_json');
  }
  if (!Array.isArray(parsed)) return [{ value: body }];
  return parsed.map((v) => ({ value: Buffer.from(JSON.stringify(v) ?? 'null') }));
}

/** The records of a body of `type` (`json` or `ndjson`); none at all is a 400. */
export function recordsOf(body: Buffer, type: 'json' | 'ndjson'): ProducedRecord[] {
  const records = type === 'ndjson' ? ndjsonRecords(body) : jsonRecords(body);
  if (records.length === 0) throw new InputError('the body holds no records', undefined, 'no_records');
  return records;
}

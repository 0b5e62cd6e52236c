import type { FailedRecord, ParsedRecord, RecordOrigin, SourceRecord } from '../interfaces/records';

/** What the parser needs to know about the pipeline. */
export interface ParseSettings {
  /** Field whose value becomes `_id`; null = `<topic>-<partition>-<offset>`. */
  idField: string | null;
}

/** OpenSearch rejects longer `_id`s. */
export const MAX_ID_BYTES = 512;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function originOf(r: SourceRecord): RecordOrigin {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: Number(r.offset),
    timestamp: r.timestamp,
    key: r.key,
  };
}

function fail(r: SourceRecord, stage: 'parse' | 'validate', errorType: string, reason: string): FailedRecord {
  const bytes = r.value?.length ?? 0;
  return {
    kind: 'failed',
    origin: originOf(r),
    stage,
    errorType,
    reason,
    attempts: 1,
    // A copy: kafkajs' value is a slice of the whole fetch response, which we must not keep alive.
    value: r.value ? Buffer.from(r.value) : null,
    bytes,
  };
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** Looks up `field` on the document: the key itself, else a dotted path into nested objects. */
function lookup(doc: Record<string, unknown>, field: string): unknown {
  if (Object.prototype.hasOwnProperty.call(doc, field)) return doc[field];
  if (!field.includes('.')) return undefined;
  let cur: unknown = doc;
  for (const part of field.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function idFromField(doc: Record<string, unknown>, field: string): { id: string } | { error: string } {
  const v = lookup(doc, field);
  if (v === undefined) return { error: `field "${field}" (the pipeline's idField) is missing` };
  if (typeof v === 'number' && Number.isFinite(v)) return { id: String(v) };
  if (typeof v !== 'string')
    return { error: `field "${field}" must be a string or a number, got ${describeType(v)}` };
  if (v.length === 0) return { error: `field "${field}" is empty` };
  if (Buffer.byteLength(v) > MAX_ID_BYTES)
    return { error: `field "${field}" is longer than ${MAX_ID_BYTES} bytes` };
  return { id: v };
}

/**
 * Turns a Kafka record into an indexable document or a failure, never throwing: a value must be UTF-8
 * text holding one JSON object (stage `parse`); with an `idField`, the document must carry a usable
 * id there (stage `validate`).
 */
export function parseRecord(r: SourceRecord, settings: ParseSettings): ParsedRecord {
  const value = r.value;
  if (value === null || value.length === 0) return fail(r, 'parse', 'empty_value', 'the record has no value');
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return fail(r, 'parse', 'invalid_utf8', 'the value is not valid UTF-8 text');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(r, 'parse', 'invalid_json', `the value is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return fail(r, 'parse', 'not_an_object', `the value must be a JSON object, got ${describeType(doc)}`);
  }
  let id: string;
  if (settings.idField) {
    const got = idFromField(doc as Record<string, unknown>, settings.idField);
    if ('error' in got) return fail(r, 'validate', 'invalid_id_field', got.error);
    id = got.id;
  } else {
    id = `${r.topic}-${r.partition}-${r.offset}`;
  }
  // Bulk bodies are newline-delimited: a pretty-printed document is re-serialised onto one line.
  const multiline = text.includes('\n') || text.includes('\r');
  const source = multiline ? JSON.stringify(doc) : text;
  return {
    kind: 'index',
    origin: originOf(r),
    id,
    source,
    originalText: multiline ? text : undefined,
    bytes: source.length + id.length + 64,
  };
}

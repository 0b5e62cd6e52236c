import type { FailedRecord, IndexableRecord } from '../../common/records';
import type { OutgoingMessage } from '../interfaces/recordSink';
import { RECORD_HEADERS } from '../../common/recordHeaders';

export interface PipelineRef {
  id: string;
  name: string;
}

/** Headers on every error and output record, so consumers can dedupe and route without parsing the
 * value (a contract with pipeline-mgmt and users: common/recordHeaders.ts). */
export const ERROR_HEADERS = RECORD_HEADERS;

/** Largest original value carried in an error record by default (bytes); the rest is cut off. */
export const DEFAULT_MAX_ERROR_VALUE_BYTES = 256 * 1024;
/** Longest error reason kept (characters). */
const MAX_REASON_CHARS = 4096;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(b: Buffer): string | null {
  try {
    return utf8.decode(b);
  } catch {
    return null;
  }
}

/** Cuts a UTF-8 buffer to at most `max` bytes without splitting a character. */
function cutUtf8(b: Buffer, max: number): Buffer {
  if (b.length <= max) return b;
  let end = max;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

function keyText(key: Buffer | null): { key: string | null; keyEncoding?: 'base64' } {
  if (key === null) return { key: null };
  const text = decodeUtf8(key);
  return text === null ? { key: key.toString('base64'), keyEncoding: 'base64' } : { key: text };
}

/**
 * The error-topic record of a failed record: a JSON envelope with the pipeline, the stage, OpenSearch's
 * (or the parser's) error type and reason, where the record came from, and the original value as UTF-8
 * text or, when it is not valid UTF-8, base64 with `encoding: "base64"`. A value over `maxValueBytes`
 * is cut and flagged `truncated` (with its `originalBytes`), so an error record always fits a topic.
 */
export function buildErrorMessage(
  f: FailedRecord,
  pipeline: PipelineRef,
  now: Date,
  maxValueBytes = DEFAULT_MAX_ERROR_VALUE_BYTES,
): OutgoingMessage & { value: string } {
  const original = f.value ?? Buffer.alloc(0);
  const asText = decodeUtf8(original);
  const budget = asText === null ? Math.floor((maxValueBytes * 3) / 4) : maxValueBytes;
  const truncated = original.length > budget;
  const kept = truncated
    ? asText === null
      ? original.subarray(0, budget)
      : cutUtf8(original, budget)
    : original;
  const value = f.value === null ? null : asText === null ? kept.toString('base64') : kept.toString('utf8');
  const envelope = {
    pipelineId: pipeline.id,
    pipelineName: pipeline.name,
    stage: f.stage,
    errorType: f.errorType,
    reason: f.reason.length > MAX_REASON_CHARS ? `${f.reason.slice(0, MAX_REASON_CHARS)}...` : f.reason,
    ...(f.status !== undefined ? { status: f.status } : {}),
    ...(f.detail ?? {}),
    source: {
      topic: f.origin.topic,
      partition: f.origin.partition,
      offset: String(f.origin.offset),
      timestamp: f.origin.timestamp,
      ...keyText(f.origin.key),
    },
    time: now.toISOString(),
    attempts: f.attempts,
    ...(f.replayId !== undefined ? { replayId: f.replayId } : {}),
    value,
    encoding: asText === null ? 'base64' : 'utf8',
    ...(truncated ? { truncated: true, originalBytes: original.length } : {}),
  };
  const headers: Record<string, string> = {
    [ERROR_HEADERS.srcTopic]: f.origin.topic,
    [ERROR_HEADERS.srcPartition]: String(f.origin.partition),
    [ERROR_HEADERS.srcOffset]: String(f.origin.offset),
    [ERROR_HEADERS.stage]: f.stage,
    [ERROR_HEADERS.errorType]: f.errorType,
  };
  if (truncated) headers[ERROR_HEADERS.truncated] = 'true';
  return { key: f.origin.key, value: JSON.stringify(envelope), headers };
}

/**
 * The output-topic records of indexed records: per record the target index (its routed one, else the
 * pipeline's) and `_id`, where it came from, and the document itself (spliced in as received, not
 * re-serialised), or `docOmitted: true` when the topic refused it as too large. Keyed by the source
 * record's key, and without headers: everything a header could carry is in the value already (the
 * head first, which pipeline-mgmt's ingest reads without parsing the document), and per-record headers
 * cost more CPU than the rest of the record (docs/benchmarks.md). The values are views of one buffer
 * written once for all the records, not one allocation and copy each.
 */
export function buildOutputMessages(
  records: readonly IndexableRecord[],
  pipelineIndex: string,
  omitDoc = false,
): OutgoingMessage[] {
  const heads = new Array<string>(records.length);
  let size = 0;
  let index: string | null = null;
  let indexJson = '';
  let topic: string | null = null;
  let topicJson = '';
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const recordIndex = r.index ?? pipelineIndex;
    if (recordIndex !== index) {
      index = recordIndex;
      indexJson = JSON.stringify(recordIndex);
    }
    if (r.origin.topic !== topic) {
      topic = r.origin.topic;
      topicJson = JSON.stringify(topic);
    }
    // The same text as JSON.stringify({ index, id, source: { topic, partition, offset } }) and then
    // the document as the last member.
    const head =
      `{"index":${indexJson},"id":${JSON.stringify(r.id)},"source":{"topic":${topicJson},` +
      `"partition":${r.origin.partition},"offset":"${r.origin.offset}"}` +
      (omitDoc ? ',"docOmitted":true}' : ',"doc":');
    heads[i] = head;
    size += Buffer.byteLength(head) + (omitDoc ? 0 : byteLengthOf(r.source) + 1);
  }
  const values = Buffer.allocUnsafe(size);
  const messages = new Array<OutgoingMessage>(records.length);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const start = at;
    at += values.write(heads[i]!, at, 'utf8');
    if (!omitDoc) {
      const source = r.source;
      at += typeof source === 'string' ? values.write(source, at, 'utf8') : source.copy(values, at);
      values[at++] = 0x7d; // }
    }
    messages[i] = { key: r.origin.key, value: values.subarray(start, at), headers: NO_HEADERS };
  }
  return messages;
}

/** The output-topic record of one indexed record (see buildOutputMessages). */
export function buildOutputMessage(
  r: IndexableRecord,
  pipelineIndex: string,
  omitDoc = false,
): OutgoingMessage {
  return buildOutputMessages([r], pipelineIndex, omitDoc)[0]!;
}

function byteLengthOf(source: Buffer | string): number {
  return typeof source === 'string' ? Buffer.byteLength(source) : source.length;
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

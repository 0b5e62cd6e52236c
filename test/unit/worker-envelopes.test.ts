import {
  buildErrorMessage,
  buildOutputMessage,
  buildOutputMessages,
  ERROR_HEADERS,
} from '../../server/pipeline-worker/logics/envelopes';
import type { FailedRecord, IndexableRecord } from '../../server/common/records';

const origin = {
  topic: 'sdp.p.input',
  partition: 1,
  offset: 99,
  timestamp: '1700000000000',
  key: Buffer.from('key-1'),
};
const pipeline = { id: 'pid', name: 'p' };
const now = new Date('2024-05-06T07:08:09.000Z');

function failed(value: Buffer | null, extra: Partial<FailedRecord> = {}): FailedRecord {
  return {
    kind: 'failed',
    origin,
    stage: 'parse',
    errorType: 'invalid_json',
    reason: 'bad',
    attempts: 1,
    value,
    bytes: value?.length ?? 0,
    ...extra,
  };
}

describe('error envelope', () => {
  it('carries pipeline, stage, error, source coordinates, time, attempts and the UTF-8 value, plus headers', () => {
    const m = buildErrorMessage(failed(Buffer.from('not json é')), pipeline, now);
    expect(JSON.parse(String(m.value))).toEqual({
      pipelineId: 'pid',
      pipelineName: 'p',
      stage: 'parse',
      errorType: 'invalid_json',
      reason: 'bad',
      source: { topic: 'sdp.p.input', partition: 1, offset: '99', timestamp: '1700000000000', key: 'key-1' },
      time: '2024-05-06T07:08:09.000Z',
      attempts: 1,
      value: 'not json é',
      encoding: 'utf8',
    });
    expect(m.key).toEqual(Buffer.from('key-1'));
    expect(m.headers).toEqual({
      [ERROR_HEADERS.srcTopic]: 'sdp.p.input',
      [ERROR_HEADERS.srcPartition]: '1',
      [ERROR_HEADERS.srcOffset]: '99',
      [ERROR_HEADERS.stage]: 'parse',
      [ERROR_HEADERS.errorType]: 'invalid_json',
    });
  });

  it('base64-encodes a value that is not UTF-8, and includes the item status for stage index', () => {
    const raw = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    const m = buildErrorMessage(
      failed(raw, { stage: 'index', errorType: 'mapper_parsing_exception', status: 400, attempts: 3 }),
      pipeline,
      now,
    );
    const e = JSON.parse(String(m.value));
    expect(e).toMatchObject({ encoding: 'base64', status: 400, attempts: 3, stage: 'index' });
    expect(Buffer.from(e.value, 'base64')).toEqual(raw);
  });

  it('truncates an oversized value with a flag instead of producing something the topic refuses', () => {
    const big = Buffer.from('é'.repeat(1000)); // 2000 bytes
    const m = buildErrorMessage(failed(big), pipeline, now, 301);
    const e = JSON.parse(String(m.value));
    expect(e.truncated).toBe(true);
    expect(e.originalBytes).toBe(2000);
    expect(Buffer.byteLength(e.value)).toBe(300); // cut on a character boundary
    expect(m.headers[ERROR_HEADERS.truncated]).toBe('true');
    const bin = Buffer.alloc(4000, 0xff);
    const b = JSON.parse(buildErrorMessage(failed(bin), pipeline, now, 400).value);
    expect(b).toMatchObject({ truncated: true, encoding: 'base64' });
    expect(b.value.length).toBeLessThanOrEqual(400);
  });

  it('handles a null value and a binary key', () => {
    const f = failed(null, { origin: { ...origin, key: Buffer.from([0xff]) }, errorType: 'empty_value' });
    const e = JSON.parse(buildErrorMessage(f, pipeline, now).value);
    expect(e.value).toBeNull();
    expect(e.source).toMatchObject({ key: '/w==', keyEncoding: 'base64' });
  });
});

describe('output envelope', () => {
  const r: IndexableRecord = {
    kind: 'index',
    origin,
    id: 'sdp.p.input-1-99',
    source: '{"a":[1,2]}',
    bytes: 10,
  };
  it('wraps the document text with its index, _id and source coordinates', () => {
    const m = buildOutputMessage(r, 'idx');
    expect(JSON.parse(String(m.value))).toEqual({
      index: 'idx',
      id: 'sdp.p.input-1-99',
      source: { topic: 'sdp.p.input', partition: 1, offset: '99' },
      doc: { a: [1, 2] },
    });
    expect(m.headers).toEqual({}); // all of it is in the value: no per-record header cost
    expect(m.key).toBe(origin.key);
  });
  it('splices a document held as bytes in as bytes', () => {
    const m = buildOutputMessage({ ...r, source: Buffer.from('{"name":"Zoë"}') }, 'idx');
    expect(Buffer.isBuffer(m.value)).toBe(true);
    expect(JSON.parse(String(m.value))).toEqual({
      index: 'idx',
      id: 'sdp.p.input-1-99',
      source: { topic: 'sdp.p.input', partition: 1, offset: '99' },
      doc: { name: 'Zoë' },
    });
  });
  it('builds a flush of records, routed, text and bytes mixed, as the same JSON each would be alone', () => {
    const records: IndexableRecord[] = [
      r,
      { ...r, id: 'a"b\\c', source: Buffer.from('{"name":"Zoë"}'), index: 'routed-ü' },
      { ...r, origin: { ...origin, topic: 'other', partition: 2, offset: 7, key: null }, source: '{}' },
    ];
    const messages = buildOutputMessages(records, 'idx');
    expect(messages.map((m) => JSON.parse(String(m.value)))).toEqual([
      {
        index: 'idx',
        id: 'sdp.p.input-1-99',
        source: { topic: 'sdp.p.input', partition: 1, offset: '99' },
        doc: { a: [1, 2] },
      },
      {
        index: 'routed-ü',
        id: 'a"b\\c',
        source: { topic: 'sdp.p.input', partition: 1, offset: '99' },
        doc: { name: 'Zoë' },
      },
      {
        index: 'idx',
        id: 'sdp.p.input-1-99',
        source: { topic: 'other', partition: 2, offset: '7' },
        doc: {},
      },
    ]);
    // pipeline-mgmt's ingest reads the head as JSON.stringify writes it, the document after it.
    expect(String(messages[1]!.value)).toBe(
      `${JSON.stringify({ index: 'routed-ü', id: 'a"b\\c', source: { topic: 'sdp.p.input', partition: 1, offset: '99' } }).slice(0, -1)},"doc":{"name":"Zoë"}}`,
    );
    expect(messages.map((m) => m.key)).toEqual([origin.key, origin.key, null]);
    expect(buildOutputMessages([], 'idx')).toEqual([]);
  });
  it('can omit the document (topic refused it as too large)', () => {
    expect(JSON.parse(String(buildOutputMessage(r, 'idx', true).value))).toMatchObject({ docOmitted: true });
  });
});

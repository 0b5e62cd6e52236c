import { parseRecord } from '../../server/pipeline-worker/logics/recordParser';
import type { SourceRecord } from '../../server/pipeline-worker/interfaces/records';
import { badRecords } from '../fixtures/worker-records';

function rec(value: Buffer | string | null, offset = '7'): SourceRecord {
  return {
    topic: 'in',
    partition: 2,
    offset,
    timestamp: '1700000000000',
    key: Buffer.from('k'),
    value: typeof value === 'string' ? Buffer.from(value) : value,
  };
}

describe('parseRecord', () => {
  it('accepts a JSON object with the deterministic id <topic>-<partition>-<offset>', () => {
    const r = parseRecord(rec('{"a":1,"b":"x"}'), { idField: null });
    expect(r).toMatchObject({ kind: 'index', id: 'in-2-7', source: '{"a":1,"b":"x"}' });
    expect(r.origin).toEqual({
      topic: 'in',
      partition: 2,
      offset: 7,
      timestamp: '1700000000000',
      key: Buffer.from('k'),
    });
  });

  it.each(badRecords(1).filter((b) => b.stage === 'parse'))('fails $name at parse ($errorType)', (b) => {
    const r = parseRecord(rec(b.value), { idField: null });
    expect(r.kind).toBe('failed');
    if (r.kind !== 'failed') return;
    expect(r.stage).toBe('parse');
    expect(r.errorType).toBe(b.errorType);
    expect(r.reason.length).toBeGreaterThan(5);
    expect(r.attempts).toBe(1);
    expect(r.value === null ? null : Buffer.compare(r.value, b.value!)).toBe(b.value === null ? null : 0);
  });

  it('keeps a copy of a failed value (not a view of the fetch buffer)', () => {
    const big = Buffer.from('xx[1]yy');
    const view = big.subarray(2, 5);
    const r = parseRecord(rec(view), { idField: null });
    if (r.kind !== 'failed') throw new Error('expected failure');
    big.write('ZZZ', 2);
    expect(r.value!.toString()).toBe('[1]');
  });

  it('survives pathological nesting', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(parseRecord(rec(deep), { idField: null }).kind).toBe('failed');
    const deepObj = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    expect(['index', 'failed']).toContain(parseRecord(rec(deepObj), { idField: null }).kind);
  });

  it('puts a pretty-printed document on one line but keeps the original text', () => {
    const text = '{\n  "a": 1,\n  "b": "two"\n}';
    const r = parseRecord(rec(text), { idField: null });
    expect(r).toMatchObject({ kind: 'index', source: '{"a":1,"b":"two"}', originalText: text });
  });

  it('strips a UTF-8 byte order mark and accepts non-ASCII text', () => {
    const r = parseRecord(
      rec(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"name":"Zoë 東京"}')])),
      {
        idField: null,
      },
    );
    expect(r).toMatchObject({ kind: 'index', source: '{"name":"Zoë 東京"}' });
  });

  describe('with an idField', () => {
    it('takes the _id from the field (string or number, or a dotted path)', () => {
      expect(parseRecord(rec('{"id":"abc"}'), { idField: 'id' })).toMatchObject({ kind: 'index', id: 'abc' });
      expect(parseRecord(rec('{"id":42}'), { idField: 'id' })).toMatchObject({ kind: 'index', id: '42' });
      expect(parseRecord(rec('{"user":{"id":"u1"}}'), { idField: 'user.id' })).toMatchObject({ id: 'u1' });
      expect(parseRecord(rec('{"user.id":"flat"}'), { idField: 'user.id' })).toMatchObject({ id: 'flat' });
    });

    it.each([
      ['missing', '{"other":1}'],
      ['null', '{"id":null}'],
      ['an object', '{"id":{"x":1}}'],
      ['empty', '{"id":""}'],
      ['too long', JSON.stringify({ id: 'x'.repeat(513) })],
      ['a boolean', '{"id":true}'],
    ])('fails at validate when the field is %s', (_what, text) => {
      const r = parseRecord(rec(text), { idField: 'id' });
      expect(r).toMatchObject({ kind: 'failed', stage: 'validate', errorType: 'invalid_id_field' });
    });
  });
});

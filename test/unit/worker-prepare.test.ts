import { createPreparation, pipelineSteps } from '../../server/common/prepare/preparation';
import { assignId } from '../../server/common/prepare/assignId';
import { decodeJsonObject } from '../../server/common/prepare/decodeJsonObject';
import { PrepareStep, stepFailure } from '../../server/common/prepare/recordDraft';
import type { SourceRecord } from '../../server/common/records';
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

/** The worker's preparation of a pipeline with this idField. */
const prepare = (idField: string | null) => createPreparation(pipelineSteps({ idField }));

describe('record preparation (decode, id)', () => {
  it('accepts a JSON object with the deterministic id <topic>-<partition>-<offset>', () => {
    const r = prepare(null)(rec('{"a":1,"b":"x"}'));
    expect(r).toMatchObject({ kind: 'index', id: 'in-2-7', source: Buffer.from('{"a":1,"b":"x"}') });
    expect(r.origin).toEqual({
      topic: 'in',
      partition: 2,
      offset: 7,
      timestamp: '1700000000000',
      key: Buffer.from('k'),
    });
  });

  it.each(badRecords(1).filter((b) => b.stage === 'parse'))('fails $name at parse ($errorType)', (b) => {
    const r = prepare(null)(rec(b.value));
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
    const r = prepare(null)(rec(view));
    if (r.kind !== 'failed') throw new Error('expected failure');
    big.write('ZZZ', 2);
    expect(r.value!.toString()).toBe('[1]');
  });

  it('survives pathological nesting', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(prepare(null)(rec(deep)).kind).toBe('failed');
    const deepObj = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    expect(['index', 'failed']).toContain(prepare(null)(rec(deepObj)).kind);
  });

  it('puts a pretty-printed document on one line but keeps the original text', () => {
    const text = '{\n  "a": 1,\n  "b": "two"\n}';
    const r = prepare(null)(rec(text));
    expect(r).toMatchObject({ kind: 'index', source: '{"a":1,"b":"two"}', originalText: text });
  });

  it('strips a UTF-8 byte order mark and accepts non-ASCII text', () => {
    const r = prepare(null)(
      rec(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"name":"Zoë 東京"}')])),
    );
    expect(r).toMatchObject({ kind: 'index', source: Buffer.from('{"name":"Zoë 東京"}') });
  });

  describe('with an idField', () => {
    it('takes the _id from the field (string or number, or a dotted path)', () => {
      expect(prepare('id')(rec('{"id":"abc"}'))).toMatchObject({ kind: 'index', id: 'abc' });
      expect(prepare('id')(rec('{"id":42}'))).toMatchObject({ kind: 'index', id: '42' });
      expect(prepare('user.id')(rec('{"user":{"id":"u1"}}'))).toMatchObject({ id: 'u1' });
      expect(prepare('user.id')(rec('{"user.id":"flat"}'))).toMatchObject({ id: 'flat' });
    });

    it.each([
      ['missing', '{"other":1}'],
      ['null', '{"id":null}'],
      ['an object', '{"id":{"x":1}}'],
      ['empty', '{"id":""}'],
      ['too long', JSON.stringify({ id: 'x'.repeat(513) })],
      ['a boolean', '{"id":true}'],
    ])('fails at validate when the field is %s', (_what, text) => {
      const r = prepare('id')(rec(text));
      expect(r).toMatchObject({ kind: 'failed', stage: 'validate', errorType: 'invalid_id_field' });
    });
  });

  describe('a chain of steps', () => {
    const upper: PrepareStep = {
      name: 'upper',
      run(draft) {
        draft.doc = { ...draft.doc, name: String(draft.doc?.name).toUpperCase() };
        draft.changed = true;
        return null;
      },
    };
    const refuseBob: PrepareStep = {
      name: 'no-bob',
      run: (draft) => (draft.doc?.name === 'BOB' ? stepFailure('validate', 'bob', 'no Bob here') : null),
    };
    const chain = createPreparation([decodeJsonObject, upper, refuseBob, assignId(null)]);

    it('runs the steps in order; a changed document is serialised again, its text kept for errors', () => {
      const r = chain(rec('{"name":"ann"}'));
      expect(r).toMatchObject({
        kind: 'index',
        id: 'in-2-7',
        source: '{"name":"ANN"}',
        originalText: '{"name":"ann"}',
      });
    });

    it('stops at the first failing step, with its stage and reason, and the value as received', () => {
      const r = chain(rec('{"name":"bob"}'));
      expect(r).toMatchObject({ kind: 'failed', stage: 'validate', errorType: 'bob', reason: 'no Bob here' });
      if (r.kind === 'failed') expect(r.value?.toString()).toBe('{"name":"bob"}');
    });

    it('refuses a chain that never produced a document or an id', () => {
      expect(createPreparation([decodeJsonObject])(rec('{"a":1}'))).toMatchObject({
        kind: 'failed',
        errorType: 'no_document',
      });
    });
  });
});

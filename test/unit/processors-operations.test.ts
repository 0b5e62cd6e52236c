import { compileProcessors, CompiledChain, ChainOutcome } from '../../server/common/processors/chain';
import type { Doc, RecordMeta } from '../../server/common/processors/types';
import { createHmac } from 'node:crypto';

const META: RecordMeta = {
  topic: 'sdp.p.input',
  partition: 1,
  offset: 42,
  timestamp: 1_700_000_000_000,
  key: 'k1',
  headers: { tenant: 'acme' },
};

function chainOf(processors: unknown[], secrets: Record<string, string> = {}): CompiledChain {
  const r = compileProcessors(processors, { secrets: (n) => secrets[n] });
  if ('problems' in r) throw new Error(JSON.stringify(r.problems));
  return r.chain;
}

function run(processors: unknown[], doc: Doc, secrets?: Record<string, string>): ChainOutcome {
  return chainOf(processors, secrets).run(doc, () => META);
}

/** The single document after the chain (fails the test when it did not give exactly one). */
function one(processors: unknown[], doc: Doc, secrets?: Record<string, string>): Doc {
  const out = run(processors, doc, secrets);
  if (out.kind !== 'documents' || out.documents.length !== 1) throw new Error(`got ${JSON.stringify(out)}`);
  return out.documents[0]!;
}

function failure(processors: unknown[], doc: Doc): Extract<ChainOutcome, { kind: 'failed' }> {
  const out = run(processors, doc);
  if (out.kind !== 'failed') throw new Error(`expected a failure, got ${JSON.stringify(out)}`);
  return out;
}

describe('set', () => {
  it('sets a fixed value (a fresh copy per document) at a nested path', () => {
    const c = chainOf([{ set: { field: 'a.b', value: { x: [1] } } }]);
    const d1: Doc = {};
    const d2: Doc = {};
    c.run(d1, () => META);
    c.run(d2, () => META);
    expect(d1).toEqual({ a: { b: { x: [1] } } });
    expect((d1.a as Doc).b).not.toBe((d2.a as Doc).b);
  });
  it('sets the result of a CEL expression over doc and meta, ints as numbers', () => {
    const d = one(
      [{ set: { field: 'n', expr: 'size(doc.s) + 1' } }, { set: { field: 't', expr: 'meta.topic' } }],
      {
        s: 'abc',
      },
    );
    expect(d).toEqual({ s: 'abc', n: 4, t: 'sdp.p.input' });
  });
  it('fails when the expression fails, or the path crosses a non-object', () => {
    expect(failure([{ set: { field: 'x', expr: 'doc.missing + 1' } }], {}).errorType).toBe(
      'expression_failed',
    );
    expect(failure([{ set: { field: 'a.b', value: 1 } }], { a: 'text' }).reason).toMatch(
      /cannot set "a.b": a parent on its path is not an object/,
    );
  });
});

describe('remove', () => {
  it('removes names, nested paths and prefixes; a missing one is no change', () => {
    const out = run([{ remove: { fields: ['debug', 'user.secret', 'tmp_*', 'meta.x_*'] } }], {
      debug: 1,
      user: { secret: 's', id: 1 },
      tmp_a: 1,
      tmp_b: 2,
      keep: 3,
      meta: { x_1: 1, y: 2 },
    });
    expect(out).toEqual({
      kind: 'documents',
      documents: [{ user: { id: 1 }, keep: 3, meta: { y: 2 } }],
      changed: true,
      split: false,
    });
    expect(run([{ remove: { fields: 'nothere' } }], { a: 1 })).toMatchObject({ changed: false });
  });
});

describe('rename and copy', () => {
  it('rename moves a value to a new nested path', () => {
    expect(one([{ rename: { field: 'user.id', targetField: 'user_id' } }], { user: { id: 7 } })).toEqual({
      user: {},
      user_id: 7,
    });
  });
  it('rename fails when the field is missing, and leaves the document as it was when the target cannot be set', () => {
    expect(failure([{ rename: { field: 'x', targetField: 'y' } }], {}).errorType).toBe('field_missing');
    const doc = { x: 1, y: 'text' };
    const out = run([{ rename: { field: 'x', targetField: 'y.z' } }], doc);
    expect(out.kind).toBe('failed');
    expect(doc).toEqual({ x: 1, y: 'text' });
  });
  it('copy makes a deep copy', () => {
    const d = one([{ copy: { field: 'a', targetField: 'b' } }], { a: { n: 1 } });
    expect(d).toEqual({ a: { n: 1 }, b: { n: 1 } });
    expect(d.a).not.toBe(d.b);
  });
});

describe('convert', () => {
  it.each([
    ['integer', '42', 42],
    ['integer', 3.9, 3],
    ['integer', '7.5', 7],
    ['integer', true, 1],
    ['float', '3.25', 3.25],
    ['float', 2, 2],
    ['boolean', 'TRUE', true],
    ['boolean', 'no', false],
    ['boolean', 0, false],
    ['string', 12, '12'],
    ['string', { a: 1 }, '{"a":1}'],
  ])('%s of %p is %p', (type, value, expected) => {
    expect(one([{ convert: { field: 'v', type } }], { v: value }).v).toEqual(expected);
  });
  it('converts each element of an array', () => {
    expect(one([{ convert: { field: 'v', type: 'integer' } }], { v: ['1', '2'] }).v).toEqual([1, 2]);
  });
  it.each([
    ['integer', 'abc'],
    ['integer', null],
    ['float', ''],
    ['boolean', 'maybe'],
    ['string', null],
  ])('fails to make %s of %p', (type, value) => {
    expect(failure([{ convert: { field: 'v', type } }], { v: value }).errorType).toBe('conversion_failed');
  });
  it('an unchanged value is no change', () => {
    expect(run([{ convert: { field: 'v', type: 'integer' } }], { v: 5 })).toMatchObject({ changed: false });
  });
});

describe('date', () => {
  const date = (value: unknown, params: Record<string, unknown> = {}) =>
    one([{ date: { field: 'ts', ...params } }], { ts: value })['@timestamp'];
  it('reads ISO 8601 (with and without offset), epoch millis and seconds', () => {
    expect(date('2024-03-01T10:20:30.123+02:00', { formats: ['iso8601'] })).toBe('2024-03-01T08:20:30.123Z');
    expect(date('2024-03-01T10:20:30')).toBe('2024-03-01T10:20:30.000Z');
    expect(date(1_700_000_000_123, { formats: ['epoch_millis'] })).toBe('2023-11-14T22:13:20.123Z');
    expect(date('1700000000', { formats: ['epoch_seconds'] })).toBe('2023-11-14T22:13:20.000Z');
  });
  it('reads patterns, in the given time zone, trying formats in order', () => {
    expect(
      date('2024-07-01 12:00:00', { formats: ['iso8601', 'yyyy-MM-dd HH:mm:ss'], timezone: 'Europe/Paris' }),
    ).toBe('2024-07-01T10:00:00.000Z');
    expect(date('01/02/2024 03:04', { formats: ['dd/MM/yyyy HH:mm'] })).toBe('2024-02-01T03:04:00.000Z');
    expect(date('2024-01-05T03:04', { formats: ["yyyy-MM-dd'T'HH:mm"] })).toBe('2024-01-05T03:04:00.000Z');
  });
  it('leaves a value already in ISO 8601 UTC form unchanged in place', () => {
    const out = run([{ date: { field: 't', targetField: 't' } }], { t: '2024-01-01T00:00:00.000Z' });
    expect(out).toMatchObject({ changed: false, documents: [{ t: '2024-01-01T00:00:00.000Z' }] });
    expect(date('2024-02-30T00:00:00.000Z')).toBe('2024-03-01T00:00:00.000Z');
  });
  it('writes targetField', () => {
    expect(
      one([{ date: { field: 'ts', targetField: 'when', formats: ['epoch_millis'] } }], { ts: 0 }).when,
    ).toBe('1970-01-01T00:00:00.000Z');
  });
  it('fails when no format matches', () => {
    const f = failure([{ date: { field: 'ts', formats: ['epoch_millis', 'yyyy-MM-dd'] } }], {
      ts: 'yesterday',
    });
    expect(f.errorType).toBe('date_parse_failed');
    expect(f.reason).toMatch(/matches none of the formats/);
  });
});

describe('lowercase, uppercase, trim, truncate', () => {
  it('map strings and arrays of strings', () => {
    expect(
      one([{ lowercase: { field: 'a' } }, { uppercase: { field: 'b' } }, { trim: { field: 'c' } }], {
        a: 'MiXed',
        b: ['x', 'y'],
        c: '  pad  ',
      }),
    ).toEqual({ a: 'mixed', b: ['X', 'Y'], c: 'pad' });
  });
  it('truncate cuts to maxBytes without splitting a character', () => {
    expect(one([{ truncate: { field: 'm', maxBytes: 5 } }], { m: 'abcdefgh' }).m).toBe('abcde');
    expect(one([{ truncate: { field: 'm', maxBytes: 4 } }], { m: 'aé€x' }).m).toBe('aé');
    expect(run([{ truncate: { field: 'm', maxBytes: 10 } }], { m: 'short' })).toMatchObject({
      changed: false,
    });
  });
  it('fail on a non-string', () => {
    expect(failure([{ lowercase: { field: 'a' } }], { a: 1 }).errorType).toBe('wrong_type');
    expect(failure([{ truncate: { field: 'a', maxBytes: 1 } }], { a: {} }).errorType).toBe('wrong_type');
  });
});

describe('parseJson, flatten, select', () => {
  it('parseJson decodes in place or into targetField; fails on bad JSON', () => {
    expect(one([{ parseJson: { field: 'p' } }], { p: '{"a":1}' })).toEqual({ p: { a: 1 } });
    expect(one([{ parseJson: { field: 'p', targetField: 'q' } }], { p: '[1]' })).toEqual({
      p: '[1]',
      q: [1],
    });
    expect(failure([{ parseJson: { field: 'p' } }], { p: '{' }).errorType).toBe('invalid_json');
  });
  it('flatten joins nested keys, at a field or the root', () => {
    expect(one([{ flatten: { field: 'attrs' } }], { attrs: { a: { b: 1 }, c: [1] } })).toEqual({
      attrs: { 'a.b': 1, c: [1] },
    });
    expect(one([{ flatten: { separator: '_' } }], { a: { b: { c: 1 } }, d: 2 })).toEqual({ a_b_c: 1, d: 2 });
  });
  it('flatten never writes a prototype key', () => {
    const doc = JSON.parse('{"a":{"__proto__":{"polluted":1}}}') as Doc;
    const d = one([{ flatten: {} }], doc);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(d)).toEqual(['a.__proto__.polluted']);
  });
  it('select include keeps only the listed fields; exclude removes them', () => {
    expect(one([{ select: { include: ['a', 'n.x'] } }], { a: 1, b: 2, n: { x: 1, y: 2 } })).toEqual({
      a: 1,
      n: { x: 1 },
    });
    expect(one([{ select: { exclude: ['b'] } }], { a: 1, b: 2 })).toEqual({ a: 1 });
  });
});

describe('hash', () => {
  const hmac = (salt: string, s: string) => createHmac('sha256', salt).update(s).digest('hex');
  it('replaces each field by its HMAC-SHA-256 with the named secret', () => {
    const d = one(
      [{ hash: { fields: ['user.email'], saltSecret: 'pii' } }],
      { user: { email: 'a@b.c' } },
      {
        pii: 's3cret',
      },
    );
    expect((d.user as Doc).email).toBe(hmac('s3cret', 'a@b.c'));
  });
  it('hashes several fields into targetField', () => {
    const d = one(
      [{ hash: { fields: ['a', 'b'], targetField: 'h', saltSecret: 'pii' } }],
      { a: 'x', b: 2 },
      {
        pii: 'k',
      },
    );
    expect(d.h).toBe(hmac('k', '["x",2]'));
  });
  it('fails every record when the worker lacks the secret', () => {
    expect(failure([{ hash: { fields: ['a'], saltSecret: 'nope' } }], { a: 'x' }).errorType).toBe(
      'secret_missing',
    );
  });
});

describe('dissect', () => {
  it('splits by literal delimiters, with skip, append and padding', () => {
    const d = one(
      [
        {
          dissect: { field: 'm', pattern: '%{ip} %{?ident} [%{ts}] "%{verb} %{path}" %{status->} %{+path}' },
        },
      ],
      { m: '1.2.3.4 - [01/Jan] "GET /a" 200   end' },
    );
    expect(d).toMatchObject({ ip: '1.2.3.4', ts: '01/Jan', verb: 'GET', path: '/a end', status: '200' });
    expect(d.ident).toBeUndefined();
  });
  it('fails when the text does not match', () => {
    expect(failure([{ dissect: { field: 'm', pattern: '%{a}-%{b}' } }], { m: 'nodash' }).errorType).toBe(
      'no_match',
    );
  });
});

describe('drop and split', () => {
  it('drop with if drops only matching records', () => {
    const c = chainOf([{ drop: { if: 'doc.level == "debug"' } }]);
    expect(c.run({ level: 'debug' }, () => META)).toEqual({ kind: 'dropped' });
    expect(c.run({ level: 'info' }, () => META).kind).toBe('documents');
    expect(c.stats.dropped).toEqual([1]);
  });
  it('split makes one document per element; later processors run on each', () => {
    const out = run([{ split: { field: 'items' } }, { uppercase: { field: 'items' } }], {
      o: 1,
      items: ['a', 'b'],
    });
    expect(out).toEqual({
      kind: 'documents',
      documents: [
        { o: 1, items: 'A' },
        { o: 1, items: 'B' },
      ],
      changed: true,
      split: true,
    });
  });
  it('split documents do not share nested objects', () => {
    const out = run([{ split: { field: 'l' } }, { set: { field: 'n.x', value: 1, if: 'doc.l == 1' } }], {
      n: { x: 0 },
      l: [1, 2],
    });
    expect(out.kind === 'documents' && out.documents.map((d) => (d.n as Doc).x)).toEqual([1, 0]);
  });
  it('split fails on a non-array or an empty one', () => {
    expect(failure([{ split: { field: 'l' } }], { l: 'x' }).errorType).toBe('wrong_type');
    expect(failure([{ split: { field: 'l' } }], { l: [] }).errorType).toBe('split_empty');
  });
});

describe('if and onFailure', () => {
  it('if reads doc and meta (headers, key, partition)', () => {
    const d = one(
      [
        { set: { field: 'a', value: 1, if: 'meta.headers.tenant == "acme" && meta.key == "k1"' } },
        { set: { field: 'b', value: 1, if: 'meta.partition == 2' } },
      ],
      {},
    );
    expect(d).toEqual({ a: 1 });
  });
  it('an if that fails (a missing key) fails the processor with condition_failed', () => {
    const f = failure([{ drop: { if: 'doc.level == "debug"' } }], {});
    expect(f).toMatchObject({ index: 0, op: 'drop', errorType: 'condition_failed' });
    expect(one([{ drop: { if: 'has(doc.level) && doc.level == "debug"' } }], {})).toEqual({});
  });
  it('a non-boolean if fails', () => {
    expect(failure([{ drop: { if: 'doc.a' } }], { a: 1 }).reason).toMatch(/not a boolean/);
  });
  it('onFailure skip leaves the document as it is and goes on; drop drops it; error names the processor', () => {
    const chain = [
      { convert: { field: 'n', type: 'integer', onFailure: 'skip' } },
      { set: { field: 'after', value: true } },
    ];
    expect(one(chain, { n: 'x' })).toEqual({ n: 'x', after: true });
    expect(run([{ convert: { field: 'n', type: 'integer', onFailure: 'drop' } }], { n: 'x' })).toEqual({
      kind: 'dropped',
    });
    expect(
      failure([{ trim: { field: 'a' } }, { convert: { field: 'n', type: 'integer' } }], { a: 'x', n: 'x' }),
    ).toMatchObject({
      index: 1,
      op: 'convert',
    });
  });
  it('counts changed, dropped and failed per processor', () => {
    const c = chainOf([
      { lowercase: { field: 'a', onFailure: 'skip' } },
      { drop: { if: 'doc.a == "drop"' } },
    ]);
    c.run({ a: 'X' }, () => META);
    c.run({ a: 1 }, () => META);
    c.run({ a: 'drop' }, () => META);
    expect(c.stats).toEqual({ changed: [1, 0], dropped: [0, 1], failed: [1, 0] });
  });
  it('a chain that changes nothing reports changed: false', () => {
    expect(run([{ lowercase: { field: 'a' } }, { remove: { fields: ['x'] } }], { a: 'low' })).toMatchObject({
      changed: false,
    });
  });
});

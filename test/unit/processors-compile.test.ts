import { compileProcessors } from '../../server/common/processors/chain';
import { compileIndexTemplate, isValidIndexName } from '../../server/common/processors/indexTemplate';
import { compileProcessing } from '../../server/common/processors/processing';
import { compileSchema, unsafeRegexReason } from '../../server/common/processors/schema';

function problems(processors: unknown): Array<{ path: string; reason: string }> {
  const r = compileProcessors(processors);
  if (!('problems' in r)) throw new Error('expected problems');
  return r.problems;
}

describe('compiling processors: every problem with its path', () => {
  it.each([
    ['an unknown operation', [{ frobnicate: {} }], 'processors[0].frobnicate', /unknown operation/],
    ['two keys', [{ set: {}, drop: {} }], 'processors[0]', /exactly one key/],
    ['not an object', ['drop'], 'processors[0]', /must be an object/],
    ['parameters not an object', [{ drop: 1 }], 'processors[0].drop', /object of parameters/],
    [
      'a missing parameter',
      [{ drop: {} }, { convert: { field: 'a' } }],
      'processors[1].convert.type',
      /is required/,
    ],
    [
      'a bad enum',
      [{ convert: { field: 'a', type: 'long' } }],
      'processors[0].convert.type',
      /one of integer/,
    ],
    [
      'an unknown parameter',
      [{ trim: { field: 'a', fild: 'b' } }],
      'processors[0].trim.fild',
      /unknown parameter/,
    ],
    ['a bad CEL expression', [{ drop: { if: 'doc.a ==' } }], 'processors[0].drop.if', /not valid CEL/],
    ['an unknown CEL function', [{ drop: { if: 'frob(doc.a)' } }], 'processors[0].drop.if', /not valid CEL/],
    ['an unknown CEL variable', [{ drop: { if: 'x.y == 1' } }], 'processors[0].drop.if', /not valid CEL/],
    ['a CEL regex', [{ drop: { if: 'doc.a.matches("(a+)+")' } }], 'processors[0].drop.if', /matches\(\)/],
    [
      'an expression over 4 KiB',
      [{ drop: { if: `"${'a'.repeat(4100)}" == doc.a` } }],
      'processors[0].drop.if',
      /4096 bytes/,
    ],
    [
      'a bad onFailure',
      [{ drop: { onFailure: 'ignore' } }],
      'processors[0].drop.onFailure',
      /error, skip, drop/,
    ],
    [
      'a bad date pattern',
      [{ date: { field: 'a', formats: ['yyyy-QQ'] } }],
      'processors[0].date.formats[0]',
      /not a valid date pattern/,
    ],
    [
      'an unknown time zone',
      [{ date: { field: 'a', timezone: 'Mars/Olympus' } }],
      'processors[0].date.timezone',
      /IANA/,
    ],
    [
      'a bad dissect pattern',
      [{ dissect: { field: 'a', pattern: '%{a}%{b}' } }],
      'processors[0].dissect.pattern',
      /without text between/,
    ],
    [
      'a dissect pattern without keys',
      [{ dissect: { field: 'a', pattern: 'plain' } }],
      'processors[0].dissect.pattern',
      /no %\{key\}/,
    ],
    [
      'a prototype path',
      [{ set: { field: 'a.__proto__.x', value: 1 } }],
      'processors[0].set.field',
      /__proto__/,
    ],
    ['an empty path segment', [{ trim: { field: 'a..b' } }], 'processors[0].trim.field', /empty segment/],
    [
      'set with value and expr',
      [{ set: { field: 'a', value: 1, expr: '1' } }],
      'processors[0].set.expr',
      /exactly one/,
    ],
    ['select with neither', [{ select: {} }], 'processors[0].select.include', /exactly one/],
    [
      'hash without saltSecret',
      [{ hash: { fields: ['a'] } }],
      'processors[0].hash.saltSecret',
      /is required/,
    ],
    [
      'hash with another algorithm',
      [{ hash: { fields: ['a'], saltSecret: 's', algorithm: 'md5' } }],
      'processors[0].hash.algorithm',
      /sha256/,
    ],
    [
      'truncate with maxBytes 0',
      [{ truncate: { field: 'a', maxBytes: 0 } }],
      'processors[0].truncate.maxBytes',
      /integer from 1/,
    ],
    [
      'remove with a misplaced *',
      [{ remove: { fields: ['a*b'] } }],
      'processors[0].remove.fields[0]',
      /only at its end/,
    ],
  ])('%s', (_name, config, path, reason) => {
    const found = problems(config);
    expect(found).toContainEqual({ path, reason: expect.stringMatching(reason) });
  });

  it('reports every problem of the chain, not only the first', () => {
    const found = problems([{ convert: { field: 'a' } }, { nope: {} }, { drop: { if: '(' } }]);
    expect(found.map((p) => p.path)).toEqual([
      'processors[0].convert.type',
      'processors[1].nope',
      'processors[2].drop.if',
    ]);
  });

  it('refuses more than 64 processors and a non-array', () => {
    expect(problems(Array.from({ length: 65 }, () => ({ drop: {} })))).toEqual([
      { path: 'processors', reason: 'must hold at most 64 processors' },
    ]);
    expect(problems({ drop: {} })).toEqual([{ path: 'processors', reason: 'must be an array' }]);
  });

  it('compiles 64 processors', () => {
    expect('chain' in compileProcessors(Array.from({ length: 64 }, () => ({ trim: { field: 'a' } })))).toBe(
      true,
    );
  });
});

describe('index template', () => {
  const compile = (t: string) => {
    const r = compileIndexTemplate(t);
    if ('problems' in r) throw new Error(JSON.stringify(r.problems));
    return r;
  };
  it('resolves fields and date placeholders, lower-cased', () => {
    const t = compile('logs-{service.name}-{@timestamp:yyyy.MM.dd}');
    expect(t.resolve({ service: { name: 'Billing' }, '@timestamp': '2024-03-09T23:30:00-02:00' })).toBe(
      'logs-billing-2024.03.10',
    );
    expect(t.resolve({ service: { name: 'x' }, '@timestamp': 0 })).toBe('logs-x-1970.01.01');
    expect(t.pattern).toBe('logs-*');
    expect(compile('orders-{tenant}').resolve({ tenant: 42 })).toBe('orders-42');
  });
  it('gives null (the pipeline index) when a placeholder cannot be resolved or the name is invalid', () => {
    const t = compile('orders-{tenant}');
    expect(t.resolve({})).toBeNull();
    expect(t.resolve({ tenant: { a: 1 } })).toBeNull();
    expect(t.resolve({ tenant: 'a b' })).toBeNull();
    expect(t.resolve({ tenant: 'x'.repeat(300) })).toBeNull();
    expect(compile('{tenant}').resolve({ tenant: '_x' })).toBeNull();
  });
  it.each([
    ['orders-{tenant', /unclosed/],
    ['orders-}x', /without "\{"/],
    ['orders {tenant}', /valid OpenSearch index name/],
    ['_orders-{tenant}', /valid OpenSearch index name/],
    ['logs-{ts:yyyy-QQ}', /date pattern/],
    ['logs-{a..b}', /empty segment/],
  ])('refuses %s', (t, reason) => {
    const r = compileIndexTemplate(t);
    expect('problems' in r && r.problems[0]).toEqual({
      path: 'indexTemplate',
      reason: expect.stringMatching(reason),
    });
  });
  it('checks names as OpenSearch does', () => {
    expect(isValidIndexName('a-b.c')).toBe(true);
    for (const bad of ['', '.', '..', 'A', '-a', 'a:b', 'a\u0001']) expect(isValidIndexName(bad)).toBe(false);
  });
});

describe('JSON Schema', () => {
  const schemaProblems = (config: unknown) => {
    const r = compileSchema(config);
    if (!('problems' in r)) throw new Error('expected problems');
    return r.problems;
  };
  it('validates with JSON paths and messages, at most 10 errors', () => {
    const s = compileSchema({
      mode: 'enforce',
      jsonSchema: {
        type: 'object',
        required: ['id'],
        properties: {
          user: { type: 'object', properties: { age: { type: 'integer' } } },
          l: { type: 'array', items: { type: 'string' } },
        },
      },
    });
    if ('problems' in s) throw new Error('compile');
    expect(s.validate({ id: 1 })).toBeNull();
    expect(s.validate({ user: { age: 'x' }, l: ['a', 2] })).toEqual([
      { path: '$.id', message: 'is required' },
      { path: '$.user.age', message: 'must be integer' },
      { path: '$.l[1]', message: 'must be string' },
    ]);
    const many = compileSchema({ mode: 'warn', jsonSchema: { type: 'object', additionalProperties: false } });
    if ('problems' in many) throw new Error('compile');
    expect(
      many.validate(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]))),
    ).toHaveLength(10);
  });
  it('supports draft 2020-12 when $schema names it', () => {
    const s = compileSchema({
      mode: 'enforce',
      jsonSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        prefixItems: [{ type: 'string' }],
      },
    });
    if ('problems' in s) throw new Error(JSON.stringify(s.problems));
    expect(s.validate([1] as never)).toHaveLength(1);
  });
  it.each([
    [
      'an oversized schema',
      { mode: 'enforce', jsonSchema: { description: 'x'.repeat(70 * 1024) } },
      'schema.jsonSchema',
      /65536-byte limit/,
    ],
    [
      '$data',
      { mode: 'enforce', jsonSchema: { properties: { a: { const: { $data: '1/b' } } } } },
      'schema.jsonSchema.properties.a.const.$data',
      /\$data/,
    ],
    [
      'a backtracking pattern',
      { mode: 'enforce', jsonSchema: { pattern: '^(a+)+$' } },
      'schema.jsonSchema.pattern',
      /catastrophic/,
    ],
    [
      'a backreference',
      { mode: 'enforce', jsonSchema: { patternProperties: { '(a)\\1': {} } } },
      'schema.jsonSchema.patternProperties.(a)\\1',
      /backreference/,
    ],
    [
      'an invalid schema',
      { mode: 'enforce', jsonSchema: { type: 'strng' } },
      'schema.jsonSchema',
      /not a valid JSON Schema/,
    ],
    [
      'a remote $ref',
      { mode: 'enforce', jsonSchema: { $ref: 'https://example.com/s.json' } },
      'schema.jsonSchema',
      /not a valid JSON Schema/,
    ],
    ['a bad mode', { mode: 'strict', jsonSchema: {} }, 'schema.mode', /enforce, warn/],
    ['no mode', { jsonSchema: {} }, 'schema.mode', /is required/],
    ['an unknown key', { mode: 'warn', jsonSchema: {}, x: 1 }, 'schema.x', /unknown field/],
    ['no jsonSchema', { mode: 'warn' }, 'schema.jsonSchema', /JSON Schema object/],
  ])('refuses %s', (_n, config, path, reason) => {
    expect(schemaProblems(config)).toContainEqual({ path, reason: expect.stringMatching(reason) });
  });
  it('refuses a schema nested deeper than 32', () => {
    let s: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 20; i++) s = { properties: { a: s } };
    expect(schemaProblems({ mode: 'enforce', jsonSchema: s })[0]!.reason).toMatch(/deeper than 32/);
  });
  it('tells safe patterns from backtracking ones', () => {
    expect(unsafeRegexReason('^[a-z0-9_-]{1,64}$')).toBeNull();
    expect(unsafeRegexReason('^(ab|cd)$')).toBeNull();
    expect(unsafeRegexReason('(a|aa)*')).toMatch(/catastrophic/);
    expect(unsafeRegexReason('((a)*)*')).toMatch(/catastrophic/);
  });
});

describe('compileProcessing', () => {
  it('answers invalid_processors for processors and index template, invalid_schema for the schema', () => {
    expect(compileProcessing({ processors: [{ x: {} }], indexTemplate: null, schema: null })).toMatchObject({
      code: 'invalid_processors',
    });
    expect(compileProcessing({ processors: [], indexTemplate: 'a {b}', schema: null })).toMatchObject({
      code: 'invalid_processors',
      problems: [{ path: 'indexTemplate' }],
    });
    expect(
      compileProcessing({
        processors: [],
        indexTemplate: null,
        schema: { mode: 'warn', jsonSchema: { type: 1 } } as never,
      }),
    ).toMatchObject({ code: 'invalid_schema' });
  });
  it('compiles nothing to nothing (the fast path)', () => {
    expect(compileProcessing({ processors: [], indexTemplate: null, schema: null })).toEqual({
      compiled: { chain: null, indexTemplate: null, schema: null },
    });
  });
});

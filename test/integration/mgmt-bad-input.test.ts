import { gzipSync } from 'node:zlib';
import type { Pipeline } from '../../server/common/pipelines';
import { INVALID_INDEX_NAMES } from '../fixtures/pipelines';
import { randomName } from '../helpers';
import { MgmtHarness, RequestOptions, startMgmtHarness } from '../helpers/mgmt-harness';

interface Case {
  name: string;
  method?: string;
  /** `:id` is replaced by an existing pipeline's id. */
  path?: string;
  req: RequestOptions;
  status: number;
  code: string;
  /** A `details[].path` the answer must name. */
  field?: string;
}

const P = '/api/v1/pipelines';
const ID = `${P}/:id`;
const post = (body: unknown): RequestOptions => ({ body });
const raw = (text: string, type = 'application/json'): RequestOptions => ({
  raw: text,
  headers: { 'content-type': type },
});

// Every case: a 4xx with the expected code, a JSON error body, and nothing stored changes.
describe('pipeline-mgmt bad input', () => {
  let h: MgmtHarness;
  let existing: Pipeline;
  // Known before the table is built (it.each reads it at definition time).
  const index = randomName('mgmt-idx').replace(/_/g, '-');
  const existingName = randomName('p');
  const ok = () => ({ name: 'bad-input-never-made', index });

  beforeAll(async () => {
    h = await startMgmtHarness();
    await h.newIndex(index);
    const res = await h.api<Pipeline>('POST', P, {
      body: { name: h.newName(existingName), index, partitions: 1 },
    });
    expect(res.status).toBe(201);
    existing = res.body;
  });
  afterAll(async () => {
    await h?.stop();
  });

  const snapshot = async () =>
    JSON.stringify([
      await h.db('pipelines').orderBy('id'),
      await h.db('pipeline_tasks').orderBy('pipeline_id'),
    ]);

  const cases = (): Case[] => [
    // body framing
    { name: 'malformed JSON', req: raw('{"name":'), status: 400, code: 'malformed_json' },
    { name: 'JSON null (not an object)', req: raw('null'), status: 400, code: 'malformed_json' },
    {
      name: 'text/plain body',
      req: raw(JSON.stringify(ok()), 'text/plain'),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'form body',
      req: raw('name=a', 'application/x-www-form-urlencoded'),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'latin1 charset',
      req: raw('{}', 'application/json; charset=latin1'),
      status: 415,
      code: 'unsupported_media_type',
    },
    { name: 'no body', req: {}, status: 400, code: 'validation_failed' },
    { name: 'array body', req: post([ok()]), status: 400, code: 'validation_failed' },
    {
      name: 'body over server.maxBodyKiB',
      req: post({ ...ok(), description: 'x'.repeat(300 * 1024) }),
      status: 413,
      code: 'payload_too_large',
    },
    {
      name: 'deeply nested JSON',
      req: raw(`{"name":${'['.repeat(20000)}${']'.repeat(20000)}}`),
      status: 400,
      code: 'validation_failed',
      field: '/name/0/0',
    },
    {
      name: 'deeply nested index settings',
      req: raw(
        `{"name":"deep","index":"deep-index-never-made","createIndex":{"settings":{"a":${'['.repeat(60000)}${']'.repeat(60000)}}}}`,
      ),
      status: 400,
      code: 'validation_failed',
      field: '/createIndex/settings/a',
    },
    {
      name: 'gzip body that is not gzip',
      req: {
        raw: Buffer.from('garbage'),
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'gzip bomb over server.maxBodyKiB once inflated',
      req: {
        raw: gzipSync('x'.repeat(10_000_000)),
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      },
      status: 413,
      code: 'payload_too_large',
    },
    // unknown fields, with their path
    {
      name: 'unknown field',
      req: post({ ...ok(), foo: 1 }),
      status: 400,
      code: 'validation_failed',
      field: '/foo',
    },
    {
      name: '__proto__ field',
      req: raw(`{"name":"a","index":"${'i'}","__proto__":{"x":1}}`),
      status: 400,
      code: 'validation_failed',
      field: '/__proto__',
    },
    {
      name: 'unknown nested field',
      req: post({ ...ok(), flush: { bogus: 1 } }),
      status: 400,
      code: 'validation_failed',
      field: '/flush/bogus',
    },
    {
      name: 'unknown createIndex key',
      req: post({ ...ok(), createIndex: { aliases: {} } }),
      status: 400,
      code: 'validation_failed',
      field: '/createIndex/aliases',
    },
    {
      name: 'topics are not given',
      req: post({ ...ok(), topics: { input: 'x' } }),
      status: 400,
      code: 'validation_failed',
      field: '/topics',
    },
    // names
    { name: 'missing name', req: post({ index }), status: 400, code: 'validation_failed', field: '/name' },
    ...['Bad', 'a.b', 'a b', '-a', '_a', 'ä', 'a/b', '', 'x'.repeat(101)].map((name) => ({
      name: `pipeline name ${JSON.stringify(name.slice(0, 12))}`,
      req: post({ ...ok(), name }),
      status: 400,
      code: 'validation_failed',
      field: '/name',
    })),
    {
      name: 'name is a number',
      req: post({ ...ok(), name: 5 }),
      status: 400,
      code: 'validation_failed',
      field: '/name',
    },
    // index names
    ...INVALID_INDEX_NAMES.map((i) => ({
      name: `index name ${JSON.stringify(i.slice(0, 10))}`,
      req: post({ ...ok(), index: i }),
      status: 400,
      code: 'validation_failed',
      field: '/index',
    })),
    // numbers
    ...[0, 1001, 1.5, '3', null, -1].map((v) => ({
      name: `partitions ${JSON.stringify(v)}`,
      req: post({ ...ok(), partitions: v }),
      status: 400,
      code: 'validation_failed',
      field: '/partitions',
    })),
    {
      name: 'replicationFactor 0',
      req: post({ ...ok(), replicationFactor: 0 }),
      status: 400,
      code: 'validation_failed',
      field: '/replicationFactor',
    },
    {
      name: 'replicationFactor 11',
      req: post({ ...ok(), replicationFactor: 11 }),
      status: 400,
      code: 'validation_failed',
      field: '/replicationFactor',
    },
    ...[
      ['mib', 0],
      ['mib', -1],
      ['mib', 101],
      ['mib', '5'],
      ['items', 0],
      ['items', 1.5],
      ['items', 1_000_001],
      ['intervalSec', 0],
      ['intervalSec', 3601],
    ].map(([k, v]) => ({
      name: `flush.${k} ${JSON.stringify(v)}`,
      req: post({ ...ok(), flush: { [k as string]: v } }),
      status: 400,
      code: 'validation_failed',
      field: `/flush/${k}`,
    })),
    {
      name: 'description too long',
      req: post({ ...ok(), description: 'd'.repeat(1001) }),
      status: 400,
      code: 'validation_failed',
      field: '/description',
    },
    {
      name: 'status paused',
      req: post({ ...ok(), status: 'paused' }),
      status: 400,
      code: 'validation_failed',
      field: '/status',
    },
    {
      name: 'outputEnabled "yes"',
      req: post({ ...ok(), outputEnabled: 'yes' }),
      status: 400,
      code: 'validation_failed',
      field: '/outputEnabled',
    },
    {
      name: 'idField empty',
      req: post({ ...ok(), idField: '' }),
      status: 400,
      code: 'validation_failed',
      field: '/idField',
    },
    {
      name: 'createIndex not an object',
      req: post({ ...ok(), createIndex: true }),
      status: 400,
      code: 'validation_failed',
      field: '/createIndex',
    },
    // credentials
    { name: 'no token', req: { body: ok(), token: null }, status: 401, code: 'unauthenticated' },
    {
      name: 'Basic instead of Bearer',
      req: { body: ok(), headers: { authorization: 'Basic dTpw' } },
      status: 401,
      code: 'unauthenticated',
    },
    {
      name: 'bearer token of 5000 characters',
      req: { body: ok(), token: 'x'.repeat(5000) },
      status: 401,
      code: 'unauthenticated',
    },
    // conflicts with stored state
    { name: 'name taken', req: post({ name: existingName, index }), status: 409, code: 'pipeline_exists' },
    // query strings
    ...[
      'limit=0',
      'limit=501',
      'limit=abc',
      'limit=1&limit=2',
      'status=paused',
      'foo=1',
      'name=',
      'cursor=' + 'x'.repeat(300),
    ].map((q) => ({
      name: `list ?${q.slice(0, 20)}`,
      method: 'GET',
      path: `${P}?${q}`,
      req: {},
      status: 400,
      code: 'invalid_query',
    })),
    {
      name: 'list ?cursor=garbage',
      method: 'GET',
      path: `${P}?cursor=garbage`,
      req: {},
      status: 400,
      code: 'invalid_cursor',
    },
    {
      name: 'list forged cursor',
      method: 'GET',
      path: `${P}?cursor=${Buffer.from('{"c":"x","i":"; DROP TABLE pipelines"}').toString('base64url')}`,
      req: {},
      status: 400,
      code: 'invalid_cursor',
    },
    // ids in the path
    ...[
      'not-a-uuid',
      "' OR 1=1 --",
      'x'.repeat(3000),
      '00000000-0000-4000-8000-000000000000',
      'AAAAAAAA-0000-4000-8000-000000000000',
    ].map((id) => ({
      name: `GET id ${JSON.stringify(id.slice(0, 12))}`,
      method: 'GET',
      path: `${P}/${encodeURIComponent(id)}`,
      req: {},
      status: 404,
      code: 'pipeline_not_found',
    })),
    {
      name: 'malformed percent-encoding in path',
      method: 'GET',
      path: `${P}/%E0%A4%A`,
      req: {},
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'PUT unknown id',
      method: 'PUT',
      path: `${P}/00000000-0000-4000-8000-000000000000`,
      req: post({ index }),
      status: 404,
      code: 'pipeline_not_found',
    },
    {
      name: 'DELETE ?force=maybe',
      method: 'DELETE',
      path: `${ID}?force=maybe`,
      req: {},
      status: 400,
      code: 'invalid_query',
    },
    {
      name: 'DELETE running without force',
      method: 'DELETE',
      path: ID,
      req: {},
      status: 409,
      code: 'pipeline_running',
    },
    {
      name: 'POST on a pipeline',
      method: 'POST',
      path: ID,
      req: post({}),
      status: 404,
      code: 'route_not_found',
    },
    // updates
    {
      name: 'PUT without index',
      method: 'PUT',
      path: ID,
      req: post({ description: 'x' }),
      status: 400,
      code: 'validation_failed',
      field: '/index',
    },
    {
      name: 'PUT renames',
      method: 'PUT',
      path: ID,
      req: post({ index, name: 'other' }),
      status: 400,
      code: 'immutable_field',
    },
    {
      name: 'PUT changes partitions',
      method: 'PUT',
      path: ID,
      req: post({ index, partitions: 7 }),
      status: 400,
      code: 'immutable_field',
    },
    {
      name: 'PATCH changes topics',
      method: 'PATCH',
      path: ID,
      req: post({ topics: { input: 'a', output: 'b', error: 'c' } }),
      status: 400,
      code: 'immutable_field',
    },
    {
      name: 'PATCH changes status',
      method: 'PATCH',
      path: ID,
      req: post({ status: 'stopped' }),
      status: 400,
      code: 'immutable_field',
    },
    {
      name: 'PATCH to a missing index',
      method: 'PATCH',
      path: ID,
      req: post({ index: 'no-such-index-here' }),
      status: 400,
      code: 'index_not_found',
    },
    {
      name: 'PATCH bad flush',
      method: 'PATCH',
      path: ID,
      req: post({ flush: { mib: 1000 } }),
      status: 400,
      code: 'validation_failed',
      field: '/flush/mib',
    },
    {
      name: 'PUT body names a stale version',
      method: 'PUT',
      path: ID,
      req: post({ index, version: 99 }),
      status: 412,
      code: 'precondition_failed',
    },
    {
      name: 'PUT If-Match stale',
      method: 'PUT',
      path: ID,
      req: { body: { index }, headers: { 'If-Match': '"99"' } },
      status: 412,
      code: 'precondition_failed',
    },
    {
      name: 'PATCH If-Match garbage',
      method: 'PATCH',
      path: ID,
      req: { body: {}, headers: { 'If-Match': 'garbage' } },
      status: 412,
      code: 'precondition_failed',
    },
    {
      name: 'status paused',
      method: 'PUT',
      path: `${ID}/status`,
      req: post({ status: 'paused' }),
      status: 400,
      code: 'validation_failed',
      field: '/status',
    },
    {
      name: 'status empty body',
      method: 'PUT',
      path: `${ID}/status`,
      req: post({}),
      status: 400,
      code: 'validation_failed',
      field: '/status',
    },
    {
      name: 'status extra field',
      method: 'PUT',
      path: `${ID}/status`,
      req: post({ status: 'stopped', why: 1 }),
      status: 400,
      code: 'validation_failed',
      field: '/why',
    },
    {
      name: 'status If-Match stale',
      method: 'PUT',
      path: `${ID}/status`,
      req: { body: { status: 'stopped' }, headers: { 'If-Match': '"0"' } },
      status: 412,
      code: 'precondition_failed',
    },
  ];

  it.each(cases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = await snapshot();
    const path = (c.path ?? P).replace(':id', existing.id);
    const res = await h.api<{ code: string; message: string; details?: unknown }>(
      c.method ?? 'POST',
      path,
      c.req,
    );
    expect({ status: res.status, code: res.body.code }).toEqual({ status: c.status, code: c.code });
    expect(typeof res.body.message).toBe('string');
    if (c.field) {
      expect((res.body.details as Array<{ path: string }>).map((d) => d.path)).toContain(c.field);
    }
    expect(await snapshot()).toEqual(before);
  });

  // A sweep of odd values through every field of a create whose index is missing: never a 5xx, nothing stored.
  it('odd values in every create field never give a 5xx or store anything', async () => {
    const before = await snapshot();
    const odd: unknown[] = [
      null,
      true,
      0,
      -1,
      1.5,
      1e308,
      '',
      ' ',
      'x'.repeat(5000),
      '😀',
      [],
      [1],
      {},
      { a: 1 },
    ];
    const fields = [
      'name',
      'index',
      'description',
      'partitions',
      'replicationFactor',
      'flush',
      'idField',
      'outputEnabled',
      'status',
      'createIndex',
    ];
    const name = h.newName();
    const missingIndex = h.indexName();
    const statuses = new Set<number>();
    for (const field of fields) {
      for (const value of odd) {
        // `createIndex: {}` is valid and would make the index: not an odd value for it.
        if (field === 'createIndex' && JSON.stringify(value) === '{}') continue;
        const res = await h.api('POST', P, { body: { name, index: missingIndex, [field]: value } });
        statuses.add(res.status);
        if (res.status < 400 || res.status >= 500) {
          throw new Error(`${field}=${JSON.stringify(value)?.slice(0, 40)} gave ${res.status}`);
        }
      }
    }
    expect([...statuses].sort()).toEqual([400]);
    expect(await snapshot()).toEqual(before);
    expect(await h.topicsOf(name)).toEqual([]);
  });
});

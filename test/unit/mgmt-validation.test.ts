import type { Request, Response } from 'express';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { InputError, PreconditionFailedError, UnauthenticatedError } from '../../server/common/errors';
import { bearerTokenOf } from '../../server/pipeline-mgmt/driveradapters/auth';
import { decodeCursor, encodeCursor } from '../../server/pipeline-mgmt/logics/cursor';
import { actorFrom, preconditionFrom } from '../../server/pipeline-mgmt/driveradapters/http';
import { createOpenApiDocument } from '../../server/pipeline-mgmt/driveradapters/openapi';
import { ROUTES } from '../../server/pipeline-mgmt/driveradapters/routes';
import { CreatePipelineBody, ListQuery, StatusBody } from '../../server/pipeline-mgmt/driveradapters/schemas';
import { createValidators, tooDeepAt } from '../../server/pipeline-mgmt/driveradapters/validation';
import { INVALID_INDEX_NAMES } from '../fixtures/pipelines';

const v = createValidators();
const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e: unknown) {
    if (e instanceof InputError) return (e.details as Array<{ path: string }>).map((d) => d.path);
    throw e;
  }
  return [];
};

describe('create body schema', () => {
  const create = (extra: Record<string, unknown>) => () =>
    v.body(CreatePipelineBody, { name: 'orders', index: 'logs', ...extra });

  it.each(['logs', 'a', 'logs-2030.01.01', 'a_b', 'ü-idx', '日本', 'x'.repeat(255), 'a..b', 'a%b'])(
    'accepts index %j',
    (index) => {
      expect(fieldsOf(create({ index }))).toEqual([]);
    },
  );

  it.each(INVALID_INDEX_NAMES)('rejects index %j', (index) => {
    expect(fieldsOf(create({ index }))).toEqual(['/index']);
  });

  it.each(['orders', 'a', '0-a_b', 'x'.repeat(100)])('accepts name %j', (name) => {
    expect(fieldsOf(create({ name }))).toEqual([]);
  });

  it.each(['Orders', 'a.b', '-a', '_a', 'a b', 'x'.repeat(101), '', 'ü'])('rejects name %j', (name) => {
    expect(fieldsOf(create({ name }))).toEqual(['/name']);
  });

  it('names every bad field once, with its JSON pointer', () => {
    const fields = fieldsOf(
      create({
        partitions: 0,
        flush: { mib: null, items: 0, what: 1 },
        idField: '',
        extra: true,
        createIndex: { x: 1 },
      }),
    );
    expect(fields.sort()).toEqual([
      '/createIndex/x',
      '/extra',
      '/flush/items',
      '/flush/what',
      '/idField',
      '/partitions',
    ]);
  });

  it('reports a missing required field at its own path', () => {
    expect(fieldsOf(() => v.body(CreatePipelineBody, { index: 'logs' }))).toEqual(['/name']);
    expect(fieldsOf(() => v.body(StatusBody, undefined))).toEqual(['/']);
  });

  it('refuses bodies nested deeper than 64 levels before validating them', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { a: deep };
    expect(tooDeepAt(deep)).toBeDefined();
    expect(tooDeepAt({ a: { b: [1, 2, { c: 3 }] } })).toBeUndefined();
    expect(fieldsOf(create({ createIndex: { settings: deep } }))).toEqual(['/createIndex/settings/a']);
  });
});

describe('list query schema', () => {
  it('coerces and defaults', () => {
    expect(v.query(ListQuery, { limit: '10', status: 'running' })).toEqual({ limit: 10, status: 'running' });
    expect(v.query(ListQuery, {})).toEqual({ limit: 50 });
  });
  it.each([{ limit: '0' }, { limit: 'x' }, { limit: ['1', '2'] }, { status: 'paused' }, { other: '1' }])(
    'rejects %j',
    (q) => {
      expect(() => v.query(ListQuery, q)).toThrow(InputError);
    },
  );
});

describe('If-Match, actor and cursor', () => {
  const req = (headers: Record<string, string>) =>
    ({ header: (name: string) => headers[name.toLowerCase()] }) as unknown as Request;

  it('parses If-Match lists, *, weak and bare versions; nothing usable is a 412', () => {
    expect(preconditionFrom(req({}))).toBeUndefined();
    expect(preconditionFrom(req({ 'if-match': '*' }))).toEqual({ kind: 'any' });
    expect(preconditionFrom(req({ 'if-match': '"3", W/"4", 5' }))).toEqual({
      kind: 'versions',
      versions: [3, 4, 5],
    });
    expect(() => preconditionFrom(req({ 'if-match': 'garbage' }))).toThrow(PreconditionFailedError);
  });

  it('takes the actor from what authentication left, and fails closed without one', () => {
    const actor = { user: 'bob', role: 'viewer', team: 'a', tokenId: null };
    expect(actorFrom({ locals: { actor } } as unknown as Response)).toEqual(actor);
    expect(() => actorFrom({ locals: {} } as unknown as Response)).toThrow(UnauthenticatedError);
  });

  it('reads Authorization: Bearer <token> and nothing else', () => {
    expect(bearerTokenOf('Bearer abc.DEF_-~+/=')).toBe('abc.DEF_-~+/=');
    expect(bearerTokenOf('bearer  abc ')).toBe('abc');
    for (const bad of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Basic abc',
      'Bearer a b',
      'Bearer a\u00e9',
      'Bearer =a',
      `Bearer ${'a'.repeat(600)}`,
    ]) {
      expect(bearerTokenOf(bad)).toBeUndefined();
    }
  });

  it('round-trips a cursor and refuses forged ones', () => {
    const pos = { createdAt: '2030-01-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000001' };
    expect(decodeCursor(encodeCursor(pos))).toEqual(pos);
    for (const bad of [
      '',
      '!!',
      Buffer.from('{"c":1}').toString('base64url'),
      Buffer.from('[]').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad)).toThrow(InputError);
    }
  });
});

describe('OpenAPI document', () => {
  const doc = createOpenApiDocument(ROUTES, '0.0.0') as {
    openapi: string;
    paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
    components: { schemas: Record<string, unknown> };
  };

  it('has every route of the table, with its body and responses', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const [id, route] of Object.entries(ROUTES)) {
      const op = doc.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[route.method] as
        Record<string, unknown> | undefined;
      expect(op).toMatchObject({ operationId: id });
      expect(Boolean(op?.requestBody)).toBe('body' in route || 'rawBody' in route);
    }
    expect(Object.keys(doc.paths['/api/v1/pipelines']?.post?.responses ?? {}).sort()).toEqual(
      ['201', '400', '401', '403', '409', '413', '415', '429', '500', '503'].sort(),
    );
  });

  it('says which routes need a bearer token and which are open', () => {
    const ops = doc.paths as unknown as Record<
      string,
      Record<string, { security: unknown[]; responses: object }>
    >;
    expect(ops['/health']?.get?.security).toEqual([]);
    expect(ops['/openapi.json']?.get?.security).toEqual([]);
    expect(ops['/api/v1/pipelines/{id}']?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(ops['/api/v1/pipelines/{id}']?.get?.responses ?? {})).toEqual(
      expect.arrayContaining(['401', '429']),
    );
    expect(Object.keys(ops['/api/v1/audit']?.get?.responses ?? {})).toContain('403');
    expect(JSON.stringify(doc)).not.toContain('X-Sdp-User');
  });

  it('every $ref resolves and every component schema compiles', () => {
    const text = JSON.stringify(doc);
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      expect(doc.components.schemas[name as string]).toBeDefined();
    }
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    ajv.addFormat('opensearch-index', true);
    ajv.addSchema({ $id: 'doc', components: doc.components });
    for (const name of Object.keys(doc.components.schemas)) {
      expect(() => ajv.compile({ $ref: `doc#/components/schemas/${name}` })).not.toThrow();
    }
  });

  it('is plain JSON, with no TypeBox internals', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect(JSON.stringify(doc)).not.toContain('TypeBox');
  });
});

import type { Static, TSchema } from '@sinclair/typebox';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { InputError } from '../../common/errors';
import { INDEX_NAME_FORMAT } from './schemas';

/** What OpenSearch itself checks beyond the pattern: lowercase in every script, and at most 255 UTF-8 bytes. */
export function isValidIndexName(name: string): boolean {
  return (
    name !== '.' && name !== '..' && name === name.toLowerCase() && Buffer.byteLength(name, 'utf8') <= 255
  );
}

function newAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: coerce, useDefaults: coerce });
  addFormats(ajv);
  ajv.addFormat(INDEX_NAME_FORMAT, { type: 'string', validate: isValidIndexName });
  return ajv;
}

/** Deepest nesting accepted in a body; OpenSearch's own mapping depth limit is 20 objects. */
export const MAX_BODY_DEPTH = 64;

/** The JSON pointer of the first place nested deeper than `max`, found without recursion. */
export function tooDeepAt(value: unknown, max = MAX_BODY_DEPTH): string | undefined {
  const stack: Array<[unknown, string, number]> = [[value, '', 0]];
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop() as [unknown, string, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return path || '/';
    for (const [k, child] of Object.entries(v)) stack.push([child, `${path}/${k}`, depth + 1]);
  }
  return undefined;
}

export interface FieldProblem {
  path: string;
  message: string;
}

/** One line per offending field; `anyOf` noise (from nullable fields) is folded into its branches. */
export function describeAjvErrors(errors: ErrorObject[], root: string): FieldProblem[] {
  const problems = new Map<string, string>();
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const path =
      e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`
        : e.keyword === 'required'
          ? `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`
          : e.instancePath;
    byPath.set(path, [...(byPath.get(path) ?? []), e]);
  }
  for (const [path, list] of byPath) {
    const specific = list.filter(
      (e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params.type === 'null'),
    );
    const chosen = specific[0] ?? list[0];
    if (!chosen) continue;
    const message =
      chosen.keyword === 'additionalProperties'
        ? 'unknown field'
        : chosen.keyword === 'required'
          ? 'is required'
          : chosen.keyword === 'format' && chosen.params.format === INDEX_NAME_FORMAT
            ? 'is not a valid OpenSearch index name'
            : (chosen.message ?? 'is invalid');
    problems.set(`${root}${path}`, message);
  }
  return [...problems].map(([path, message]) => ({ path: path || '/', message }));
}

export interface Validators {
  /** Checks a JSON body; unknown fields are errors, nothing is coerced. */
  body<T extends TSchema>(schema: T, value: unknown): Static<T>;
  /** Checks query parameters (strings coerced to the schema's types, defaults applied). */
  query<T extends TSchema>(schema: T, value: Record<string, unknown>): Static<T>;
}

/** Compiles each schema once, on first use. */
export function createValidators(): Validators {
  const strictAjv = newAjv(false);
  const coercingAjv = newAjv(true);
  const caches = new Map<Ajv, Map<TSchema, ValidateFunction>>([
    [strictAjv, new Map()],
    [coercingAjv, new Map()],
  ]);
  const compiled = (ajv: Ajv, schema: TSchema) => {
    const cache = caches.get(ajv) as Map<TSchema, ValidateFunction>;
    let fn = cache.get(schema);
    if (!fn) {
      fn = ajv.compile(schema);
      cache.set(schema, fn);
    }
    return fn;
  };
  return {
    body: (schema, value) => {
      if (value === undefined) {
        throw new InputError(
          'a JSON request body is required',
          [{ path: '/', message: 'is required' }],
          'validation_failed',
        );
      }
      const deep = tooDeepAt(value);
      if (deep !== undefined) {
        const path = deep.split('/').slice(0, 4).join('/');
        throw new InputError(
          `request body is nested deeper than ${MAX_BODY_DEPTH} levels`,
          [{ path, message: `is nested deeper than ${MAX_BODY_DEPTH} levels` }],
          'validation_failed',
        );
      }
      const validate = compiled(strictAjv, schema);
      if (!validate(value)) {
        const details = describeAjvErrors(validate.errors ?? [], '');
        throw new InputError(
          `request body is invalid: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
          details,
          'validation_failed',
        );
      }
      return value as Static<typeof schema>;
    },
    query: (schema, value) => {
      const copy: Record<string, unknown> = { ...value };
      const validate = compiled(coercingAjv, schema);
      if (!validate(copy)) {
        const details = describeAjvErrors(validate.errors ?? [], '').map((d) => ({
          ...d,
          path: d.path.replace(/^\//, ''),
        }));
        throw new InputError(
          `query is invalid: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
          details,
          'invalid_query',
        );
      }
      return copy as Static<typeof schema>;
    },
  };
}

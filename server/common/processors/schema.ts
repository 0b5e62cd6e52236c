import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { MAX_SCHEMA_BYTES, MAX_SCHEMA_DEPTH, MAX_SCHEMA_ERRORS } from './limits';
import { ConfigProblem, Doc, isPlainObject } from './types';

export type SchemaMode = 'enforce' | 'warn';

export interface SchemaError {
  /** Where in the document, as a JSON path (`$.user.id`, `$.items[0]`). */
  path: string;
  message: string;
}

export interface CompiledSchema {
  readonly mode: SchemaMode;
  /** The errors of a document (at most MAX_SCHEMA_ERRORS), or null when it is valid. */
  validate(doc: Doc): SchemaError[] | null;
}

/** Longest `pattern` in a schema (characters). */
const MAX_PATTERN_CHARS = 512;

/**
 * Whether a regular expression could backtrack badly: a backreference, or a quantified group that
 * itself holds a quantifier or an alternation (`(a+)+`, `(a|aa)*`), the shapes of catastrophic
 * backtracking. Conservative: some safe patterns are refused too.
 */
export function unsafeRegexReason(source: string): string | null {
  if (source.length > MAX_PATTERN_CHARS) return `is longer than ${MAX_PATTERN_CHARS} characters`;
  if (/\\[1-9]|\\k</.test(source)) return 'uses a backreference';
  const stack: Array<{ risky: boolean }> = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push({ risky: false });
    else if (c === '|' && stack.length > 0) stack[stack.length - 1]!.risky = true;
    else if ((c === '*' || c === '+' || c === '{' || c === '?') && stack.length > 0 && source[i - 1] !== '(')
      stack[stack.length - 1]!.risky = true;
    else if (c === ')') {
      const group = stack.pop();
      const next = source[i + 1];
      const quantified = next === '*' || next === '+' || next === '{';
      if (group?.risky && quantified)
        return 'repeats a group that itself repeats or alternates (catastrophic backtracking)';
      if (group?.risky && stack.length > 0) stack[stack.length - 1]!.risky = true;
    }
  }
  try {
    new RegExp(source, 'u');
  } catch (e) {
    return `is not a valid regular expression: ${(e as Error).message}`;
  }
  return null;
}

/** Depth, `$data` and regex checks over the whole schema, without recursion. */
function structuralProblems(schema: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const stack: Array<[unknown, string, number]> = [[schema, 'schema.jsonSchema', 0]];
  while (stack.length > 0 && problems.length < 10) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_SCHEMA_DEPTH) {
      problems.push({ path, reason: `is nested deeper than ${MAX_SCHEMA_DEPTH} levels` });
      continue;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, `${path}[${i}]`, depth + 1]));
      continue;
    }
    for (const [k, x] of Object.entries(v)) {
      const at = `${path}.${k}`;
      if (k === '$data') problems.push({ path: at, reason: '$data is not allowed' });
      else if (k === 'pattern' && typeof x === 'string') {
        const r = unsafeRegexReason(x);
        if (r) problems.push({ path: at, reason: `pattern ${r}` });
      } else if (k === 'patternProperties' && isPlainObject(x)) {
        for (const p of Object.keys(x)) {
          const r = unsafeRegexReason(p);
          if (r) problems.push({ path: `${at}.${p}`, reason: `pattern ${r}` });
        }
      }
      stack.push([x, at, depth + 1]);
    }
  }
  return problems;
}

/** `/a/0/b` → `$.a[0].b` */
function jsonPath(pointer: string): string {
  if (!pointer) return '$';
  return `$${pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) =>
      /^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_@$][\w@$-]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`,
    )
    .join('')}`;
}

function describe(errors: ErrorObject[]): SchemaError[] {
  return errors.slice(0, MAX_SCHEMA_ERRORS).map((e) => {
    let pointer = e.instancePath;
    if (e.keyword === 'required') pointer += `/${(e.params as { missingProperty: string }).missingProperty}`;
    if (e.keyword === 'additionalProperties')
      pointer += `/${(e.params as { additionalProperty: string }).additionalProperty}`;
    const message =
      e.keyword === 'required'
        ? 'is required'
        : e.keyword === 'additionalProperties'
          ? 'is not allowed'
          : (e.message ?? 'is invalid');
    return { path: jsonPath(pointer), message };
  });
}

/**
 * Compiles a pipeline's `schema` ({jsonSchema, mode}) once per configuration version: a fresh ajv per
 * compile (ajv caches by schema object, so recompiling into one instance leaks), size and depth caps,
 * no `$data`, no backtracking-prone patterns, no remote references. Draft 2020-12 when `$schema`
 * names it, else draft-07.
 */
export function compileSchema(config: unknown): CompiledSchema | { problems: ConfigProblem[] } {
  const fail = (path: string, reason: string) => ({ problems: [{ path, reason }] });
  if (!isPlainObject(config)) return fail('schema', 'must be an object {jsonSchema, mode}');
  for (const k of Object.keys(config))
    if (k !== 'jsonSchema' && k !== 'mode') return fail(`schema.${k}`, 'unknown field');
  const mode = config.mode;
  if (mode === undefined) return fail('schema.mode', 'is required (enforce or warn)');
  if (mode !== 'enforce' && mode !== 'warn') return fail('schema.mode', 'must be one of enforce, warn');
  const schema = config.jsonSchema;
  if (!isPlainObject(schema)) return fail('schema.jsonSchema', 'must be a JSON Schema object');
  const bytes = Buffer.byteLength(JSON.stringify(schema));
  if (bytes > MAX_SCHEMA_BYTES)
    return fail('schema.jsonSchema', `is ${bytes} bytes, over the ${MAX_SCHEMA_BYTES}-byte limit`);
  const problems = structuralProblems(schema);
  if (problems.length > 0) return { problems };
  const draft2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const options = {
    allErrors: true,
    strict: false,
    $data: false,
    validateSchema: true,
    loadSchema: undefined,
  };
  const ajv = draft2020 ? new Ajv2020(options) : new Ajv(options);
  addFormats(ajv, { mode: 'fast' });
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (e) {
    return fail('schema.jsonSchema', `is not a valid JSON Schema: ${(e as Error).message.split('\n')[0]}`);
  }
  return {
    mode,
    validate(doc) {
      return validate(doc) ? null : describe(validate.errors ?? []);
    },
  };
}

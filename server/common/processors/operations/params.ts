import { pathProblem } from '../paths';
import type { Operation, SecretLookup } from '../types';
import { MAX_FIELDS } from '../limits';

/** A parameter of an operation is unusable: `param` is its key (empty for the whole operation). */
export class ParamError extends Error {
  constructor(
    readonly param: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'ParamError';
  }
}

export type Params = Record<string, unknown>;

export interface CompileContext {
  /** Named secrets (the hash salt); mgmt compiles without any (every name then resolves later). */
  secrets?: SecretLookup;
}

/** One operation of the vocabulary: the parameters it accepts and how it compiles them. */
export interface OperationSpec {
  readonly name: string;
  /** Parameter keys besides `if` and `onFailure`; any other key is refused. */
  readonly params: readonly string[];
  compile(p: Params, ctx: CompileContext): Operation;
}

export function fieldParam(p: Params, key: string): string {
  if (p[key] === undefined) throw new ParamError(key, 'is required');
  const problem = pathProblem(p[key]);
  if (problem) throw new ParamError(key, problem);
  return p[key] as string;
}

export function optionalFieldParam(p: Params, key: string): string | undefined {
  return p[key] === undefined ? undefined : fieldParam(p, key);
}

/** A field name or a list of them (at least one, at most MAX_FIELDS). */
export function fieldListParam(p: Params, key: string, allowPrefix = false): string[] {
  const v = p[key];
  if (v === undefined) throw new ParamError(key, 'is required');
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list)) throw new ParamError(key, 'must be a field name or a list of field names');
  if (list.length === 0) throw new ParamError(key, 'must name at least one field');
  if (list.length > MAX_FIELDS) throw new ParamError(key, `must name at most ${MAX_FIELDS} fields`);
  list.forEach((f, i) => {
    const path = allowPrefix && typeof f === 'string' && f.endsWith('*') ? f.slice(0, -1) || 'x' : f;
    const problem = pathProblem(path);
    if (problem) throw new ParamError(`${key}[${i}]`, problem);
    if (allowPrefix && typeof f === 'string' && f.indexOf('*') !== f.length - 1 && f.includes('*'))
      throw new ParamError(`${key}[${i}]`, 'may hold `*` only at its end (a prefix)');
  });
  return list as string[];
}

export function enumParam<T extends string>(p: Params, key: string, values: readonly T[], def?: T): T {
  const v = p[key];
  if (v === undefined) {
    if (def !== undefined) return def;
    throw new ParamError(key, `is required (one of ${values.join(', ')})`);
  }
  if (typeof v !== 'string' || !values.includes(v as T))
    throw new ParamError(key, `must be one of ${values.join(', ')}`);
  return v as T;
}

export function stringParam(p: Params, key: string, def?: string, maxChars = 1024): string {
  const v = p[key];
  if (v === undefined) {
    if (def !== undefined) return def;
    throw new ParamError(key, 'is required');
  }
  if (typeof v !== 'string') throw new ParamError(key, 'must be a string');
  if (v.length > maxChars) throw new ParamError(key, `must be at most ${maxChars} characters`);
  return v;
}

export function integerParam(p: Params, key: string, min: number, max: number): number {
  const v = p[key];
  if (v === undefined) throw new ParamError(key, 'is required');
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new ParamError(key, `must be an integer from ${min} to ${max}`);
  return v;
}

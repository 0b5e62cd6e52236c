import { Doc, isPlainObject, OperationFailure } from './types';

/** Segments that would reach an object's prototype: refused in every configured path and ignored in data. */
const UNSAFE_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/** Longest configured field path (characters). */
export const MAX_PATH_CHARS = 512;

/** Why a configured field path is unusable, or null when it is fine. */
export function pathProblem(path: unknown): string | null {
  if (typeof path !== 'string') return 'must be a string';
  if (path.length === 0) return 'must not be empty';
  if (path.length > MAX_PATH_CHARS) return `must be at most ${MAX_PATH_CHARS} characters`;
  const parts = path.split('.');
  if (parts.some((p) => p.length === 0))
    return 'must not have an empty segment (leading, trailing or double dot)';
  if (parts.some((p) => UNSAFE_SEGMENTS.has(p))) return 'must not name __proto__, prototype or constructor';
  return null;
}

export function isSafeKey(k: string): boolean {
  return !UNSAFE_SEGMENTS.has(k);
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * The segments of a dotted path, split once: configured paths are few and fixed per pipeline
 * version, and splitting on every record was a measurable share of a chain's cost. Bounded so
 * paths from many configurations over a worker's life cannot grow it without end.
 */
const segmentCache = new Map<string, readonly string[]>();
const MAX_CACHED_PATHS = 10_000;
function segments(path: string): readonly string[] {
  let parts = segmentCache.get(path);
  if (!parts) {
    parts = path.split('.');
    if (segmentCache.size >= MAX_CACHED_PATHS) segmentCache.clear();
    segmentCache.set(path, parts);
  }
  return parts;
}

/** The value at a dotted path: the key itself when the document has it, else nested objects. */
export function getPath(doc: Doc, path: string): unknown {
  if (own(doc, path)) return doc[path];
  if (!path.includes('.')) return undefined;
  let cur: unknown = doc;
  for (const part of segments(path)) {
    if (!isPlainObject(cur) || !own(cur, part)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Sets a key as an own data property (never the prototype, whatever the key). */
export function putKey(obj: Doc, key: string, value: unknown): void {
  if (isSafeKey(key)) obj[key] = value;
  else Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Sets the value at a dotted path, creating missing objects on the way. A literal key holding the
 * dots is used when the document already has it. Throws when a parent on the way is not an object.
 */
export function setPath(doc: Doc, path: string, value: unknown): void {
  if (!path.includes('.') || own(doc, path)) {
    doc[path] = value;
    return;
  }
  const parts = segments(path);
  let cur: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const next = own(cur, part) ? cur[part] : undefined;
    if (next === undefined || next === null) {
      const made: Doc = {};
      cur[part] = made;
      cur = made;
    } else if (isPlainObject(next)) {
      cur = next;
    } else {
      throw new OperationFailure(
        `cannot set "${path}": "${parts.slice(0, i + 1).join('.')}" is not an object`,
      );
    }
  }
  cur[parts[parts.length - 1]!] = value;
}

/** Whether `setPath` would succeed, without changing anything. */
export function canSetPath(doc: Doc, path: string): boolean {
  if (!path.includes('.') || own(doc, path)) return true;
  const parts = segments(path);
  let cur: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = isPlainObject(cur) && own(cur, parts[i]!) ? cur[parts[i]!] : undefined;
    if (next === undefined || next === null) return true;
    if (!isPlainObject(next)) return false;
    cur = next;
  }
  return true;
}

/** Removes the value at a dotted path; returns whether there was one. */
export function removePath(doc: Doc, path: string): boolean {
  if (own(doc, path)) {
    delete doc[path];
    return true;
  }
  if (!path.includes('.')) return false;
  const parts = segments(path);
  let cur: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!isPlainObject(cur) || !own(cur, parts[i]!)) return false;
    cur = cur[parts[i]!];
  }
  const last = parts[parts.length - 1]!;
  if (!isPlainObject(cur) || !own(cur, last)) return false;
  delete cur[last];
  return true;
}

/** The value at `path`, or an OperationFailure naming it when the document has none. */
export function requirePath(doc: Doc, path: string): unknown {
  const v = getPath(doc, path);
  if (v === undefined) throw new OperationFailure(`field "${path}" is missing`, 'field_missing');
  return v;
}

/**
 * A deep copy of a JSON value (objects, arrays, primitives), so documents never share nested
 * objects. Own code rather than structuredClone: it keeps objects plain (CEL reads them by
 * prototype) and writes `__proto__` keys as data.
 */
export function cloneJson<T>(v: T, depth = 0): T {
  if (typeof v !== 'object' || v === null) return v;
  if (depth > 256) throw new OperationFailure('value is nested too deeply to copy', 'too_deep');
  if (Array.isArray(v)) return v.map((x) => cloneJson(x, depth + 1)) as T;
  const out: Doc = {};
  for (const [k, x] of Object.entries(v)) putKey(out, k, cloneJson(x, depth + 1));
  return out as T;
}

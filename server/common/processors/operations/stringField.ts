import { requirePath, setPath } from '../paths';
import { describeType, Operation, OperationFailure } from '../types';

/**
 * An operation that maps the string at `field` (or each string of an array there) through `fn`;
 * it fails on any other value. Shared by lowercase, uppercase, trim and truncate.
 */
export function stringFieldOperation(field: string, name: string, fn: (s: string) => string): Operation {
  return {
    apply(doc) {
      const v = requirePath(doc, field);
      if (typeof v === 'string') {
        const out = fn(v);
        if (out === v) return false;
        setPath(doc, field, out);
        return true;
      }
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
        const out = (v as string[]).map(fn);
        if (out.every((x, i) => x === v[i])) return false;
        setPath(doc, field, out);
        return true;
      }
      throw new OperationFailure(
        `${name}: field "${field}" must be a string, got ${describeType(v)}`,
        'wrong_type',
      );
    },
  };
}

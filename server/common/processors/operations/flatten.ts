import { MAX_FLATTEN_DEPTH } from '../limits';
import { getPath, putKey, setPath } from '../paths';
import { Doc, isPlainObject, OperationFailure } from '../types';
import { OperationSpec, optionalFieldParam, ParamError, stringParam } from './params';

function flattenInto(out: Doc, prefix: string, obj: Doc, sep: string, depth: number): void {
  if (depth > MAX_FLATTEN_DEPTH)
    throw new OperationFailure(`object is nested deeper than ${MAX_FLATTEN_DEPTH} levels`, 'too_deep');
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}${sep}${k}` : k;
    if (isPlainObject(v) && Object.keys(v).length > 0) flattenInto(out, key, v, sep, depth + 1);
    else putKey(out, key, v);
  }
}

/**
 * `flatten {field?, separator="."}`: nested objects at `field` (the whole document without one)
 * become one level of keys joined by `separator` (`{a: {b: 1}}` → `{"a.b": 1}`); arrays stay values.
 */
export const flatten: OperationSpec = {
  name: 'flatten',
  params: ['field', 'separator'],
  compile(p) {
    const field = optionalFieldParam(p, 'field');
    const sep = stringParam(p, 'separator', '.', 8);
    if (sep.length === 0) throw new ParamError('separator', 'must not be empty');
    return {
      apply(doc) {
        const obj = field === undefined ? doc : getPath(doc, field);
        if (obj === undefined) throw new OperationFailure(`field "${field}" is missing`, 'field_missing');
        if (!isPlainObject(obj))
          throw new OperationFailure(`field "${field}" is not an object`, 'wrong_type');
        if (!Object.values(obj).some((v) => isPlainObject(v))) return false;
        const out: Doc = {};
        flattenInto(out, '', obj, sep, 0);
        if (field !== undefined) {
          setPath(doc, field, out);
        } else {
          for (const k of Object.keys(doc)) delete doc[k];
          for (const [k, v] of Object.entries(out)) putKey(doc, k, v);
        }
        return true;
      },
    };
  },
};

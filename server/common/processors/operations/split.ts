import { MAX_SPLIT_DOCUMENTS } from '../limits';
import { cloneJson, removePath, requirePath, setPath } from '../paths';
import { describeType, Doc, OperationFailure } from '../types';
import { fieldParam, OperationSpec } from './params';

/**
 * `split {field}`: one document per element of the array at `field`, each a copy of the document
 * with that element in place of the array. Each gets its own deterministic id (`<id>-<n>`).
 */
export const split: OperationSpec = {
  name: 'split',
  params: ['field'],
  compile(p) {
    const field = fieldParam(p, 'field');
    return {
      apply(doc) {
        const v = requirePath(doc, field);
        if (!Array.isArray(v))
          throw new OperationFailure(
            `field "${field}" must be an array, got ${describeType(v)}`,
            'wrong_type',
          );
        if (v.length === 0) throw new OperationFailure(`field "${field}" is an empty array`, 'split_empty');
        if (v.length > MAX_SPLIT_DOCUMENTS)
          throw new OperationFailure(
            `field "${field}" has more than ${MAX_SPLIT_DOCUMENTS} elements`,
            'too_large',
          );
        removePath(doc, field);
        const out: Doc[] = v.map((element) => {
          const d = cloneJson(doc);
          setPath(d, field, element);
          return d;
        });
        return out;
      },
    };
  },
};

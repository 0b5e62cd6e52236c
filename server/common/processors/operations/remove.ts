import { getPath, removePath } from '../paths';
import { isPlainObject } from '../types';
import { fieldListParam, OperationSpec } from './params';

/** `remove {fields}`: names (dotted for nested) or `prefix*` (every key of that object starting so). A missing one is no error. */
export const remove: OperationSpec = {
  name: 'remove',
  params: ['fields'],
  compile(p) {
    const fields = fieldListParam(p, 'fields', true);
    const exact = fields.filter((f) => !f.endsWith('*'));
    const prefixes = fields
      .filter((f) => f.endsWith('*'))
      .map((f) => {
        const stem = f.slice(0, -1);
        const dot = stem.lastIndexOf('.');
        return dot < 0
          ? { parent: null, prefix: stem }
          : { parent: stem.slice(0, dot), prefix: stem.slice(dot + 1) };
      });
    return {
      apply(doc) {
        let changed = false;
        for (const f of exact) if (removePath(doc, f)) changed = true;
        for (const { parent, prefix } of prefixes) {
          const obj = parent === null ? doc : getPath(doc, parent);
          if (!isPlainObject(obj)) continue;
          for (const k of Object.keys(obj)) {
            if (k.startsWith(prefix)) {
              delete obj[k];
              changed = true;
            }
          }
        }
        return changed;
      },
    };
  },
};

import { getPath, removePath, setPath } from '../paths';
import { fieldListParam, OperationSpec, ParamError } from './params';

/**
 * `select {include | exclude}`: keeps only the listed fields (dotted for nested), or removes them.
 * With `include`, a listed field the document lacks is simply absent.
 */
export const select: OperationSpec = {
  name: 'select',
  params: ['include', 'exclude'],
  compile(p) {
    if ((p.include === undefined) === (p.exclude === undefined))
      throw new ParamError(
        p.include === undefined ? 'include' : 'exclude',
        'give exactly one of include and exclude',
      );
    if (p.exclude !== undefined) {
      const fields = fieldListParam(p, 'exclude');
      return {
        apply(doc) {
          let changed = false;
          for (const f of fields) if (removePath(doc, f)) changed = true;
          return changed;
        },
      };
    }
    const fields = fieldListParam(p, 'include');
    return {
      apply(doc) {
        const kept: Array<[string, unknown]> = [];
        for (const f of fields) {
          const v = getPath(doc, f);
          if (v !== undefined) kept.push([f, v]);
        }
        const keys = Object.keys(doc);
        if (kept.length === keys.length && kept.every(([f]) => keys.includes(f))) return false;
        for (const k of keys) delete doc[k];
        for (const [f, v] of kept) setPath(doc, f, v);
        return true;
      },
    };
  },
};

import { canSetPath, cloneJson, requirePath, setPath } from '../paths';
import { OperationFailure } from '../types';
import { fieldParam, OperationSpec, ParamError } from './params';

/** `copy {field, targetField}`: a deep copy of the value at `field` into `targetField`. */
export const copy: OperationSpec = {
  name: 'copy',
  params: ['field', 'targetField'],
  compile(p) {
    const field = fieldParam(p, 'field');
    const target = fieldParam(p, 'targetField');
    if (target === field) throw new ParamError('targetField', 'must differ from field');
    return {
      apply(doc) {
        const v = requirePath(doc, field);
        if (!canSetPath(doc, target))
          throw new OperationFailure(`cannot set "${target}": a parent on its path is not an object`);
        setPath(doc, target, typeof v === 'object' && v !== null ? cloneJson(v) : v);
        return true;
      },
    };
  },
};

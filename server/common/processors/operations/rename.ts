import { canSetPath, removePath, requirePath, setPath } from '../paths';
import { OperationFailure } from '../types';
import { fieldParam, OperationSpec, ParamError } from './params';

/** `rename {field, targetField}`: moves a value; fails when the field is missing or the target cannot be set. */
export const rename: OperationSpec = {
  name: 'rename',
  params: ['field', 'targetField'],
  compile(p) {
    const field = fieldParam(p, 'field');
    const target = fieldParam(p, 'targetField');
    if (target === field) throw new ParamError('targetField', 'must differ from field');
    return {
      apply(doc) {
        const v = requirePath(doc, field);
        removePath(doc, field);
        if (!canSetPath(doc, target)) {
          setPath(doc, field, v); // put it back: a failed operation leaves the document as it was
          throw new OperationFailure(`cannot set "${target}": a parent on its path is not an object`);
        }
        setPath(doc, target, v);
        return true;
      },
    };
  },
};

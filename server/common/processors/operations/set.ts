import { compileExpression } from '../cel';
import { canSetPath, cloneJson, setPath } from '../paths';
import { OperationFailure } from '../types';
import { fieldParam, OperationSpec, ParamError } from './params';

const notSettable = (field: string) =>
  new OperationFailure(`cannot set "${field}": a parent on its path is not an object`);

/** Deep copy of a configured value, so no document shares (and later changes) the configuration. */
function fresh(v: unknown): unknown {
  return typeof v === 'object' && v !== null ? cloneJson(v) : v;
}

/** `set {field, value | expr}`: a fixed JSON value, or the result of a CEL expression over `doc` and `meta`. */
export const set: OperationSpec = {
  name: 'set',
  params: ['field', 'value', 'expr'],
  compile(p) {
    const field = fieldParam(p, 'field');
    if ((p.value === undefined) === (p.expr === undefined))
      throw new ParamError(p.value === undefined ? 'value' : 'expr', 'give exactly one of value and expr');
    if (p.value !== undefined) {
      const value = p.value;
      return {
        apply(doc) {
          if (!canSetPath(doc, field)) throw notSettable(field);
          setPath(doc, field, fresh(value));
          return true;
        },
      };
    }
    const expr = compileExpression(p.expr);
    if ('error' in expr) throw new ParamError('expr', expr.error);
    return {
      apply(doc, ctx) {
        let v: unknown;
        try {
          v = expr.evaluate(doc, ctx.meta);
        } catch (e) {
          throw new OperationFailure(
            `expr failed: ${(e as Error).message.split('\n')[0]}`,
            'expression_failed',
          );
        }
        if (v === undefined) throw new OperationFailure('expr gave no value', 'expression_failed');
        if (!canSetPath(doc, field)) throw notSettable(field);
        setPath(doc, field, v);
        return true;
      },
    };
  },
};

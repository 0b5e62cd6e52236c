import { MAX_PARSE_JSON_BYTES } from '../limits';
import { canSetPath, requirePath, setPath } from '../paths';
import { describeType, OperationFailure } from '../types';
import { fieldParam, OperationSpec } from './params';

/** `parseJson {field, targetField=field}`: decodes the JSON text at `field` into `targetField`. */
export const parseJson: OperationSpec = {
  name: 'parseJson',
  params: ['field', 'targetField'],
  compile(p) {
    const field = fieldParam(p, 'field');
    const target = p.targetField === undefined ? field : fieldParam(p, 'targetField');
    return {
      apply(doc) {
        const v = requirePath(doc, field);
        if (typeof v !== 'string')
          throw new OperationFailure(
            `field "${field}" must be JSON text, got ${describeType(v)}`,
            'wrong_type',
          );
        if (v.length > MAX_PARSE_JSON_BYTES)
          throw new OperationFailure(
            `field "${field}" is longer than ${MAX_PARSE_JSON_BYTES} bytes`,
            'too_large',
          );
        let parsed: unknown;
        try {
          parsed = JSON.parse(v);
        } catch (e) {
          throw new OperationFailure(
            `field "${field}" is not valid JSON: ${(e as Error).message}`,
            'invalid_json',
          );
        }
        if (!canSetPath(doc, target))
          throw new OperationFailure(`cannot set "${target}": a parent on its path is not an object`);
        setPath(doc, target, parsed);
        return true;
      },
    };
  },
};

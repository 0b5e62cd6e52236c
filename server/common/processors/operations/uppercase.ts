import { fieldParam, OperationSpec } from './params';
import { stringFieldOperation } from './stringField';

/** `uppercase {field}`: upper-cases the string (or strings of an array) at `field`. */
export const uppercase: OperationSpec = {
  name: 'uppercase',
  params: ['field'],
  compile(p) {
    return stringFieldOperation(fieldParam(p, 'field'), 'uppercase', (s) => s.toUpperCase());
  },
};

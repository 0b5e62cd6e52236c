import { fieldParam, OperationSpec } from './params';
import { stringFieldOperation } from './stringField';

/** `trim {field}`: strips leading and trailing white space from the string (or strings of an array) at `field`. */
export const trim: OperationSpec = {
  name: 'trim',
  params: ['field'],
  compile(p) {
    return stringFieldOperation(fieldParam(p, 'field'), 'trim', (s) => s.trim());
  },
};

import { fieldParam, OperationSpec } from './params';
import { stringFieldOperation } from './stringField';

/** `lowercase {field}`: lower-cases the string (or strings of an array) at `field`. */
export const lowercase: OperationSpec = {
  name: 'lowercase',
  params: ['field'],
  compile(p) {
    return stringFieldOperation(fieldParam(p, 'field'), 'lowercase', (s) => s.toLowerCase());
  },
};

import { DROP } from '../types';
import type { OperationSpec } from './params';

/** `drop {}`: the record is not indexed (use with `if`). */
export const drop: OperationSpec = {
  name: 'drop',
  params: [],
  compile() {
    return { apply: () => DROP };
  },
};

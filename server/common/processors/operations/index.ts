import { convert } from './convert';
import { copy } from './copy';
import { date } from './date';
import { dissect } from './dissect';
import { drop } from './drop';
import { flatten } from './flatten';
import { hash } from './hash';
import { lowercase } from './lowercase';
import type { OperationSpec } from './params';
import { parseJson } from './parseJson';
import { remove } from './remove';
import { rename } from './rename';
import { select } from './select';
import { set } from './set';
import { split } from './split';
import { trim } from './trim';
import { truncate } from './truncate';
import { uppercase } from './uppercase';

/** The whole vocabulary: a new operation is one file and one entry here. */
export const OPERATIONS: ReadonlyMap<string, OperationSpec> = new Map(
  [
    set,
    remove,
    rename,
    copy,
    convert,
    date,
    lowercase,
    uppercase,
    trim,
    truncate,
    parseJson,
    flatten,
    select,
    hash,
    dissect,
    drop,
    split,
  ].map((o) => [o.name, o]),
);

/**
 * The shared vocabulary of processors: what a pipeline's `processors`, `indexTemplate` and `schema`
 * compile to. Pure data and functions: no I/O, no clock, no state between records.
 */

/** A JSON document (the decoded record). */
export type Doc = Record<string, unknown>;

/** What a CEL expression sees of the Kafka record besides the document. */
export interface RecordMeta {
  topic: string;
  partition: number;
  offset: number;
  /** ms since the epoch. */
  timestamp: number;
  /** The key as UTF-8 text (null when absent). */
  key: string | null;
  headers: Record<string, string>;
}

/** One problem in a configuration: where (`processors[3].convert.type`) and why. */
export interface ConfigProblem {
  path: string;
  reason: string;
}

/** What a processor does when its operation fails on a record. */
export type OnFailure = 'error' | 'skip' | 'drop';

/** Dropped: the record is not indexed (nor sent to the error topic). */
export const DROP: unique symbol = Symbol('drop');

/**
 * The result of one operation on a document: whether it changed it, `DROP`, or the documents it split
 * into. An operation that cannot apply throws `OperationFailure` before it changes anything.
 */
export type OperationResult = boolean | typeof DROP | Doc[];

/** Everything an operation's `apply` may read besides the document. */
export interface ApplyContext {
  /** The record's meta (built once per record, only when some expression needs it). */
  meta(): RecordMeta;
}

export interface Operation {
  apply(doc: Doc, ctx: ApplyContext): OperationResult;
}

/** An operation refused a document; the reason goes to the error topic. */
export class OperationFailure extends Error {
  constructor(
    readonly reason: string,
    readonly errorType = 'transform_failed',
  ) {
    super(reason);
    this.name = 'OperationFailure';
  }
}

/** Where compiled operations find named secrets (the hash salt): the worker's configuration. */
export type SecretLookup = (name: string) => string | undefined;

/** How a value reads in a reason: `null`, `an array`, `a string`... */
export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

export function isPlainObject(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

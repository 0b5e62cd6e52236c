import type {
  FailureStage,
  RecordOrigin,
  SchemaFailureDetail,
  SourceRecord,
  TransformFailureDetail,
} from '../records';

/** One document a record became after a `split` (or one of none, after a drop). */
export interface DraftDocument {
  doc: Record<string, unknown>;
  id?: string;
  /** The routed index; absent = the pipeline's. */
  index?: string;
}

/**
 * A record on its way from Kafka to a bulk action, as the preparation steps pass it along. The first
 * step (`decodeJsonObject`) fills `text` and `doc`; later steps read and replace `doc` and set `id`.
 */
export interface RecordDraft {
  readonly origin: RecordOrigin;
  /** The value as received (a view of the fetch buffer: never kept beyond preparation). */
  readonly value: Buffer | null;
  /**
   * The value's bytes are the document: checked to be one JSON object on one line, not decoded
   * (`text` and `doc` stay unset). Set only for pipelines whose steps never read the document.
   */
  valueIsDocument?: boolean;
  /** The value decoded as UTF-8 text. */
  text?: string;
  /** The decoded JSON object. A step that changes it sets `changed`. */
  doc?: Record<string, unknown>;
  /** Some step changed `doc`: the bulk source is serialised from it, not taken from `text`. */
  changed: boolean;
  /** The document `_id`. */
  id?: string;
  /** The routed index of `doc`; absent = the pipeline's. */
  index?: string;
  /**
   * Set when processors split the record into several documents or dropped it (empty): later steps
   * work on these instead of `doc`, and the record becomes one buffer entry holding all of them.
   */
  outputs?: DraftDocument[];
  /** The record's headers (for `meta.headers` in processor expressions). */
  readonly headers?: SourceRecord['headers'];
}

/** Why a step refused a record; the record goes to the error topic with this stage and reason. */
export interface StepFailure {
  readonly failed: true;
  readonly stage: FailureStage;
  /** Stable class of the failure (a metrics label, the envelope's `errorType`). */
  readonly errorType: string;
  readonly reason: string;
  /** Stage `transform` / `schema`: the processor that failed, or the schema errors. */
  readonly detail?: TransformFailureDetail | SchemaFailureDetail;
}

/**
 * One step of record preparation. Steps are pure: no I/O, no clock, no state between records; the
 * same draft always gives the same result. A step returns `null` to pass the (possibly updated)
 * draft on, or a failure that ends preparation for this record.
 */
export interface PrepareStep {
  /** For logs and metrics, e.g. `parse`, `id`. */
  readonly name: string;
  run(draft: RecordDraft): StepFailure | null;
}

export function stepFailure(
  stage: FailureStage,
  errorType: string,
  reason: string,
  detail?: StepFailure['detail'],
): StepFailure {
  return detail
    ? { failed: true, stage, errorType, reason, detail }
    : { failed: true, stage, errorType, reason };
}

/** The documents of a draft: its `outputs` after a split or drop, else its one `doc` (as a view). */
export function draftDocuments(draft: RecordDraft): DraftDocument[] {
  if (draft.outputs) return draft.outputs;
  return draft.doc ? [draft as DraftDocument] : [];
}

/** How a value reads in a reason: `null`, `an array`, `a string`... */
export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

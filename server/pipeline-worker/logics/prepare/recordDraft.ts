import type { FailureStage, RecordOrigin } from '../../interfaces/records';

/**
 * A record on its way from Kafka to a bulk action, as the preparation steps pass it along. The first
 * step (`decodeJsonObject`) fills `text` and `doc`; later steps read and replace `doc` and set `id`.
 */
export interface RecordDraft {
  readonly origin: RecordOrigin;
  /** The value as received (a view of the fetch buffer: never kept beyond preparation). */
  readonly value: Buffer | null;
  /** The value decoded as UTF-8 text. */
  text?: string;
  /** The decoded JSON object. A step that changes it sets `changed`. */
  doc?: Record<string, unknown>;
  /** Some step changed `doc`: the bulk source is serialised from it, not taken from `text`. */
  changed: boolean;
  /** The document `_id`. */
  id?: string;
}

/** Why a step refused a record; the record goes to the error topic with this stage and reason. */
export interface StepFailure {
  readonly failed: true;
  readonly stage: FailureStage;
  /** Stable class of the failure (a metrics label, the envelope's `errorType`). */
  readonly errorType: string;
  readonly reason: string;
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

export function stepFailure(stage: FailureStage, errorType: string, reason: string): StepFailure {
  return { failed: true, stage, errorType, reason };
}

/** How a value reads in a reason: `null`, `an array`, `a string`... */
export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

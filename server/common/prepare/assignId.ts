import { describeType, PrepareStep, RecordDraft, stepFailure } from './recordDraft';

/** Longest base id of a split document: room for its `-<n>` suffix within MAX_ID_BYTES. */
const SPLIT_SUFFIX_BYTES = 8;

/** OpenSearch rejects longer `_id`s. */
export const MAX_ID_BYTES = 512;

/** Looks up `field` on the document: the key itself, else a dotted path into nested objects. */
export function lookupField(doc: Record<string, unknown>, field: string): unknown {
  if (Object.prototype.hasOwnProperty.call(doc, field)) return doc[field];
  if (!field.includes('.')) return undefined;
  let cur: unknown = doc;
  for (const part of field.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function idFrom(doc: Record<string, unknown>, field: string): { id: string } | { error: string } {
  const v = lookupField(doc, field);
  if (v === undefined) return { error: `field "${field}" (the pipeline's idField) is missing` };
  if (typeof v === 'number' && Number.isFinite(v)) return { id: String(v) };
  if (typeof v !== 'string')
    return { error: `field "${field}" must be a string or a number, got ${describeType(v)}` };
  if (v.length === 0) return { error: `field "${field}" is empty` };
  if (Buffer.byteLength(v) > MAX_ID_BYTES)
    return { error: `field "${field}" is longer than ${MAX_ID_BYTES} bytes` };
  return { id: v };
}

/** The deterministic id of a record without an idField: where it sits in Kafka, so a replay rewrites it. */
export function sourceId(draft: Pick<RecordDraft, 'origin'>): string {
  const o = draft.origin;
  return `${o.topic}-${o.partition}-${o.offset}`;
}

/**
 * The ids of documents a split made: each document's own base id (its idField, or the record's
 * place in Kafka) and `-<n>`, its position, so every one is deterministic.
 */
function assignSplitIds(draft: RecordDraft, idField: string | null) {
  const outputs = draft.outputs ?? [];
  for (let n = 0; n < outputs.length; n++) {
    const d = outputs[n]!;
    let base: string;
    if (idField) {
      const got = idFrom(d.doc, idField);
      if ('error' in got) return stepFailure('validate', 'invalid_id_field', `document ${n}: ${got.error}`);
      base = got.id;
    } else base = sourceId(draft);
    if (Buffer.byteLength(base) > MAX_ID_BYTES - SPLIT_SUFFIX_BYTES)
      return stepFailure('validate', 'invalid_id_field', `document ${n}: its id is too long to add -${n}`);
    d.id = `${base}-${n}`;
  }
  return null;
}

/**
 * Sets the document `_id`: the value at `idField` (stage `validate` when it is missing or unusable),
 * or, without an idField, `<topic>-<partition>-<offset>`. Documents of a split get `<id>-<n>`.
 */
export function assignId(idField: string | null): PrepareStep {
  if (!idField) {
    return {
      name: 'id',
      run(draft) {
        if (draft.outputs) return assignSplitIds(draft, null);
        draft.id = sourceId(draft);
        return null;
      },
    };
  }
  return {
    name: 'id',
    run(draft) {
      if (draft.outputs) return assignSplitIds(draft, idField);
      const got = idFrom(draft.doc ?? {}, idField);
      if ('error' in got) return stepFailure('validate', 'invalid_id_field', got.error);
      draft.id = got.id;
      return null;
    },
  };
}

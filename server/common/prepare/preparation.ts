import type { CompiledProcessing } from '../processors/processing';
import type {
  FailedRecord,
  IndexableRecord,
  MultiRecord,
  ParsedRecord,
  RecordOrigin,
  SourceRecord,
} from '../records';
import { assignId } from './assignId';
import { checkJsonObject } from './checkJsonObject';
import { decodeJsonObject } from './decodeJsonObject';
import type { PrepareStep, RecordDraft, StepFailure } from './recordDraft';
import { routeStep } from './route';
import { newSchemaStats, SchemaStats, schemaStep } from './schema';
import { transformStep } from './transform';

/** Turns one Kafka record into a bulk-ready document or a failure; never throws. */
export type Prepare = (record: SourceRecord) => ParsedRecord;

/** What preparation needs to know about the pipeline. */
export interface PreparationSettings {
  /** Field whose value becomes `_id`; null = `<topic>-<partition>-<offset>`. */
  idField: string | null;
  /** The pipeline's compiled processors, index template and schema (absent = none of them). */
  processing?: CompiledProcessing;
  /** Where the schema step counts its failures (the worker's metrics read it). */
  schemaStats?: SchemaStats;
}

/**
 * The ordered steps of a pipeline's records: decode, transform (its processors), schema, id, route
 * (its indexTemplate). A pipeline without processors, schema or template runs only decode and id,
 * so its documents go out as received; without an idField either, the decode is a byte check
 * (`checkJsonObject`) that builds no object. A new step is one file implementing `PrepareStep` and one
 * entry here.
 */
export function pipelineSteps(settings: PreparationSettings): PrepareStep[] {
  const p = settings.processing;
  // No step after the parse reads the document: it may stay the bytes it arrived as.
  const readsDocument = Boolean(p?.chain || p?.schema || p?.indexTemplate || settings.idField);
  return [
    readsDocument ? decodeJsonObject : checkJsonObject,
    ...(p?.chain ? [transformStep(p.chain)] : []),
    ...(p?.schema ? [schemaStep(p.schema, settings.schemaStats ?? newSchemaStats())] : []),
    assignId(settings.idField),
    ...(p?.indexTemplate ? [routeStep(p.indexTemplate)] : []),
  ];
}

function originOf(r: SourceRecord): RecordOrigin {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: Number(r.offset),
    timestamp: r.timestamp,
    key: r.key,
  };
}

function failedRecord(draft: RecordDraft, f: StepFailure): FailedRecord {
  return {
    kind: 'failed',
    origin: draft.origin,
    stage: f.stage,
    errorType: f.errorType,
    reason: f.reason,
    attempts: 1,
    ...(f.detail ? { detail: f.detail } : {}),
    // A copy: kafkajs' value is a slice of the whole fetch response, which we must not keep alive.
    value: draft.value ? Buffer.from(draft.value) : null,
    bytes: draft.value?.length ?? 0,
  };
}

/**
 * A copy of the received value when it is exactly the decoded text's bytes (no BOM): a copy, since
 * the value is a view of the whole fetch response.
 */
function asReceived(value: Buffer | null): Buffer | null {
  if (value === null) return null;
  if (value.length >= 3 && value[0] === 0xef && value[1] === 0xbb && value[2] === 0xbf) return null;
  return Buffer.from(value);
}

function noDocument(step: string): StepFailure {
  return {
    failed: true,
    stage: 'parse',
    errorType: 'no_document',
    reason: `no document after step "${step}"`,
  };
}

/**
 * Runs `steps` in order over each record. The bulk source is the received text when no step changed
 * the document and it is on one line (bulk bodies are newline-delimited), else the document
 * re-serialised; the received text is then kept for the error topic should OpenSearch refuse it.
 */
export function createPreparation(steps: readonly PrepareStep[]): Prepare {
  const last = steps[steps.length - 1]?.name ?? 'none';
  return (record) => {
    const draft: RecordDraft = {
      origin: originOf(record),
      value: record.value,
      changed: false,
      headers: record.headers,
    };
    for (const step of steps) {
      const failure = step.run(draft);
      if (failure) return failedRecord(draft, failure);
    }
    if (draft.outputs) return multiRecord(draft, last);
    if (draft.valueIsDocument && draft.id !== undefined && record.value !== null) {
      // A copy: the value is a view of the whole fetch response.
      const source = Buffer.from(record.value);
      return {
        kind: 'index',
        origin: draft.origin,
        id: draft.id,
        source,
        ...(draft.index !== undefined ? { index: draft.index } : {}),
        bytes: source.length + draft.id.length + 64,
      };
    }
    const { text, doc, id } = draft;
    if (text === undefined || doc === undefined || id === undefined)
      return failedRecord(draft, noDocument(last));
    const reserialise = draft.changed || text.includes('\n') || text.includes('\r');
    // The received bytes when they are the document as is (a BOM, dropped by the decoder, is not).
    const source = reserialise
      ? JSON.stringify(doc)
      : (asReceived(record.value) ?? Buffer.from(text, 'utf8'));
    return {
      kind: 'index',
      origin: draft.origin,
      id,
      source,
      originalText: reserialise ? text : undefined,
      ...(draft.index !== undefined ? { index: draft.index } : {}),
      bytes: source.length + id.length + 64,
    };
  };
}

/** A record split into several documents (or dropped: none), as one buffer entry. */
function multiRecord(draft: RecordDraft, last: string): MultiRecord | FailedRecord {
  const documents: IndexableRecord[] = [];
  let bytes = 64;
  for (const d of draft.outputs ?? []) {
    if (d.id === undefined) return failedRecord(draft, noDocument(last));
    const source = JSON.stringify(d.doc);
    const r: IndexableRecord = {
      kind: 'index',
      origin: draft.origin,
      id: d.id,
      source,
      originalText: draft.text,
      ...(d.index !== undefined ? { index: d.index } : {}),
      bytes: source.length + d.id.length + 64,
    };
    bytes += r.bytes;
    documents.push(r);
  }
  return { kind: 'documents', origin: draft.origin, documents, bytes };
}

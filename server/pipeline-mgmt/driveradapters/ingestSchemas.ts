import { Type } from '@sinclair/typebox';
import { StringEnum } from './schemaKit';

/** The query and answers of POST /api/v1/pipelines/{id}/records (re-exported by schemas.ts, so they are in /openapi.json). */

/** The longest a caller may wait for its records' results (ms). */
export const MAX_INGEST_WAIT_MS = 60_000;
export const DEFAULT_INGEST_WAIT_MS = 10_000;

export const IngestQuery = Type.Object(
  {
    wait: Type.Optional(
      StringEnum(['indexed'] as const, {
        description: 'answer only when every record is indexed or failed (or the timeout passed)',
      }),
    ),
    timeout: Type.Integer({
      minimum: 1,
      maximum: MAX_INGEST_WAIT_MS,
      default: DEFAULT_INGEST_WAIT_MS,
      description: 'with wait=indexed: how long to wait (ms); records not finished by then are `pending`',
    }),
  },
  { additionalProperties: false },
);

export const IngestAcceptedSchema = Type.Object({
  accepted: Type.Integer({ description: 'records Kafka acknowledged (from all in-sync replicas)' }),
  topic: Type.String({ description: "the pipeline's input topic" }),
});

export const RecordOutcomeSchema = Type.Union([
  Type.Object({
    status: Type.Literal('indexed'),
    index: Type.String(),
    id: Type.String({ description: 'the document _id' }),
  }),
  Type.Object({
    status: Type.Literal('failed'),
    stage: Type.String({
      description: 'the stage that refused it, as in the error topic (parse, validate, index...)',
    }),
    errorType: Type.String(),
    reason: Type.String(),
  }),
  Type.Object({ status: Type.Literal('pending'), description: Type.Optional(Type.String()) }),
]);

export const IngestResultsSchema = Type.Object({
  results: Type.Array(RecordOutcomeSchema, { description: 'one per record, in request order' }),
});

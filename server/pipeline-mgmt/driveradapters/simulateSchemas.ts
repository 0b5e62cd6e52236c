import { Static, Type } from '@sinclair/typebox';
import { MAX_PIPELINE_TESTS, MAX_SIMULATED_RECORDS } from '../defaults';
import { Nullable, StringEnum } from './schemaKit';

/**
 * Simulation and pipeline tests (re-exported by schemas.ts, so they are in /openapi.json). The
 * bodies that embed pipeline fields (SimulatePipelineBody, SimulateNewBody) are in schemas.ts.
 */

/** A record's value: an object (sent as its JSON) or a string (sent as is, e.g. broken JSON). */
export const RecordValue = Type.Union(
  [Type.Object({}, { additionalProperties: true }), Type.String({ maxLength: 1_048_576 })],
  { description: 'the record value: an object (sent as its JSON) or a string (sent as is)' },
);

export const SimulatedRecords = Type.Array(RecordValue, {
  minItems: 1,
  maxItems: MAX_SIMULATED_RECORDS,
  description: `1 to ${MAX_SIMULATED_RECORDS} records; record i is simulated as partition 0, offset i of the input topic`,
});

export const PipelineTestSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'unique among the tests' }),
    input: RecordValue,
    expect: Type.Object(
      {
        status: StringEnum(['indexed', 'dropped', 'failed'] as const),
        doc: Type.Optional(
          Type.Object(
            {},
            {
              additionalProperties: true,
              description: 'a partial match: each field given must have this value (objects recursively)',
            },
          ),
        ),
        index: Type.Optional(Type.String({ description: 'the target index (after indexTemplate)' })),
        id: Type.Optional(Type.String({ description: 'the document _id' })),
        errorType: Type.Optional(
          Type.String({ description: 'status failed: the failure class, e.g. schema_violation' }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const PipelineTests = Type.Array(PipelineTestSchema, {
  maxItems: MAX_PIPELINE_TESTS,
  description: `at most ${MAX_PIPELINE_TESTS} tests, run on every create and update; a failing one refuses the change (400 tests_failed)`,
});

const StepTraceSchema = Type.Object({
  processor: Type.Integer({ description: 'position in processors' }),
  op: Type.String(),
  changed: Type.Boolean(),
  dropped: Type.Optional(Type.Boolean()),
  failed: Type.Optional(Type.Boolean({ description: 'it failed; its onFailure decided what followed' })),
});

const SimulatedDocumentSchema = Type.Object({
  index: Type.String(),
  id: Type.String(),
  doc: Type.Record(Type.String(), Type.Unknown()),
});

export const SimulationResultsSchema = Type.Object({
  results: Type.Array(
    Type.Object({
      status: StringEnum(['indexed', 'dropped', 'failed'] as const),
      index: Type.Optional(Type.String()),
      id: Type.Optional(Type.String()),
      doc: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      documents: Type.Optional(
        Type.Array(SimulatedDocumentSchema, { description: 'after a split: every document' }),
      ),
      steps: Type.Array(StepTraceSchema, { description: 'what each processor did' }),
      error: Type.Optional(
        Type.Object({
          stage: Type.String({ description: 'parse, transform, schema, or index (the mapping check)' }),
          errorType: Type.String(),
          reason: Type.String(),
          detail: Type.Optional(Type.Unknown()),
        }),
      ),
    }),
    { description: 'one per record, in order' },
  ),
});

/** What a simulation may try instead of the pipeline's settings (checked by the processors compiler). */
export const SimulationOverrideFields = {
  processors: Type.Optional(Type.Array(Type.Unknown(), { description: "instead of the pipeline's" })),
  indexTemplate: Type.Optional(Nullable(Type.String())),
  schema: Type.Optional(Nullable(Type.Unknown())),
  idField: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 256 }))),
};

export type PipelineTestsT = Static<typeof PipelineTests>;

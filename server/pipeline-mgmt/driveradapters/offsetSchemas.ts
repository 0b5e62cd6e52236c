import { Static, Type } from '@sinclair/typebox';
import { Nullable } from './schemaKit';

/** Bodies and answers of /api/v1/pipelines/{id}/offsets (re-exported by schemas.ts, so they are in /openapi.json). */

const Offset = Type.String({ pattern: '^\\d{1,19}$', description: 'a Kafka offset (int64, as a string)' });

export const PipelineOffsetsSchema = Type.Object({
  groupId: Type.String({ description: "the pipeline's consumer group" }),
  topic: Type.String({ description: "the pipeline's input topic" }),
  partitions: Type.Array(
    Type.Object({
      partition: Type.Integer(),
      committed: Nullable(
        Type.String({ description: 'the next offset the workers read; null: none committed' }),
      ),
      logStart: Type.String(),
      logEnd: Type.String(),
      lag: Nullable(Type.Integer({ description: 'records between the committed offset and the log end' })),
    }),
  ),
});

export const MoveOffsetsBody = Type.Object(
  {
    to: Type.Union([
      Type.Literal('earliest'),
      Type.Literal('latest'),
      Type.Object({ timestamp: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
      Type.Object(
        {
          partitions: Type.Array(
            Type.Object(
              { partition: Type.Integer({ minimum: 0 }), offset: Offset },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 10_000 },
          ),
        },
        { additionalProperties: false },
      ),
    ]),
  },
  { additionalProperties: false },
);
export type MoveOffsetsBodyT = Static<typeof MoveOffsetsBody>;

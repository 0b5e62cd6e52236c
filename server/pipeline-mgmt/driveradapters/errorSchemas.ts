import { Type } from '@sinclair/typebox';
import { Nullable } from './schemaKit';

/** The query and answer of GET /api/v1/pipelines/{id}/errors (re-exported by schemas.ts, so they are in /openapi.json). */

export const MAX_ERRORS_PAGE = 500;

export const ErrorsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: MAX_ERRORS_PAGE, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 4096, description: "the previous page's nextCursor" })),
    stage: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'only records refused at this stage (parse, validate, index, ...)',
      }),
    ),
    reason: Type.Optional(
      Type.String({
        maxLength: 128,
        description: "only this failure class: the parser's (invalid_json...) or OpenSearch's error type",
      }),
    ),
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'written to the error topic at or after' }),
    ),
    until: Type.Optional(
      Type.String({ format: 'date-time', description: 'written to the error topic before' }),
    ),
  },
  { additionalProperties: false },
);

export const ErrorPageSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      partition: Type.Integer(),
      offset: Type.String(),
      timestamp: Type.String({ format: 'date-time' }),
      envelope: Nullable(
        Type.Record(Type.String(), Type.Unknown(), {
          description:
            'the error envelope as the worker wrote it (stage, errorType, reason, source, attempts, value...)',
        }),
      ),
    }),
  ),
  scanned: Type.Integer({ description: 'records looked at for this page (the scan per page is bounded)' }),
  nextCursor: Nullable(
    Type.String({
      description: 'more to look at (a page may be short while older records remain); null: none',
    }),
  ),
});

import { Type } from '@sinclair/typebox';

/** Queries and answers of /api/v1/pipelines/{id}/versions (re-exported by schemas.ts, so they are in /openapi.json). */

export const VersionListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    before: Type.Optional(
      Type.Integer({ minimum: 1, description: "only versions older than this (the previous page's next)" }),
    ),
  },
  { additionalProperties: false },
);

export const DiffQuery = Type.Object(
  { to: Type.Integer({ minimum: 1, description: 'the version to compare with' }) },
  { additionalProperties: false },
);

const VersionSchema = Type.Object({
  version: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  by: Type.String({ description: 'who made the change' }),
  action: Type.String({
    description: 'the change that made it: pipeline.create, pipeline.update, pipeline.status',
  }),
  pipeline: Type.Record(Type.String(), Type.Unknown(), { description: 'the whole pipeline as it was' }),
});

export const VersionSchemaOut = VersionSchema;

export const VersionListSchema = Type.Object({
  items: Type.Array(VersionSchema, { description: 'newest first' }),
  next: Type.Union([Type.Integer(), Type.Null()], {
    description: 'pass as before for older versions; null: none',
  }),
});

export const VersionDiffSchema = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  changes: Type.Array(
    Type.Object({
      path: Type.String({ description: 'e.g. flush.items, processors[2].set.value' }),
      from: Type.Optional(Type.Unknown()),
      to: Type.Optional(Type.Unknown()),
    }),
    { description: 'field by field; a side is absent where the field did not exist' },
  ),
});

export const RollbackSchema = Type.Object({
  changed: Type.Boolean({
    description: 'false when the pipeline already had those settings (no new version)',
  }),
  pipeline: Type.Record(Type.String(), Type.Unknown()),
});

import { Static, Type } from '@sinclair/typebox';
import {
  DRY_RUN_SAMPLE_SIZE,
  MAX_REPLAY_RATE_PER_SEC,
  MAX_REPLAY_RECORDS,
  REPLAY_STATUSES,
} from '../../common/replays';
import { Nullable, StringEnum } from './schemaKit';

/** Bodies and answers of /api/v1/pipelines/{id}/replays (re-exported by schemas.ts, so they are in /openapi.json). */

export const ReplayStatusSchema = StringEnum(REPLAY_STATUSES, {
  description: 'running (waiting for or performed by a worker), succeeded, failed (see reason), cancelled',
});

export const ReplayFilterSchema = Type.Object(
  {
    stage: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'only records refused at this stage' }),
    ),
    reason: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: "only this failure class: the envelope's errorType",
      }),
    ),
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'written to the error topic at or after' }),
    ),
    until: Type.Optional(
      Type.String({ format: 'date-time', description: 'written to the error topic before' }),
    ),
    if: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description:
          'a CEL condition over the error envelope as `doc` (and the error-topic record as `meta`), e.g. `doc.source.partition == 0`',
      }),
    ),
  },
  { additionalProperties: false },
);

export const CreateReplayBody = Type.Object(
  {
    filter: Type.Optional(ReplayFilterSchema),
    dryRun: Type.Optional(
      Type.Boolean({ description: 'write nothing; report what would happen (counts per outcome, a sample)' }),
    ),
    maxRecords: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_REPLAY_RECORDS, description: 'stop after this many matches' }),
    ),
    ratePerSec: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: MAX_REPLAY_RATE_PER_SEC,
        description: 'records replayed per second at most (default 500)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateReplayBodyT = Static<typeof CreateReplayBody>;

export const ReplayListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'page size' }),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'opaque, from `nextCursor`' })),
    status: Type.Optional(ReplayStatusSchema),
  },
  { additionalProperties: false },
);

const Offsets = Type.Record(Type.String(), Type.String(), {
  description: 'per error-topic partition, an offset',
});

export const ReplaySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  pipelineId: Type.String({ format: 'uuid' }),
  status: ReplayStatusSchema,
  filter: ReplayFilterSchema,
  dryRun: Type.Boolean(),
  maxRecords: Nullable(Type.Integer()),
  ratePerSec: Type.Number(),
  counts: Type.Object({
    scanned: Type.Integer({ description: 'error-topic records read' }),
    matched: Type.Integer({ description: 'of those, the ones the filter took' }),
    replayed: Type.Integer({ description: 'matched records taken through the pipeline again' }),
    indexed: Type.Integer({ description: 'documents indexed (a dry run: would be)' }),
    failedAgain: Type.Integer({ description: 'records back in the error topic (a dry run: would be)' }),
    skipped: Type.Integer({ description: 'matched records that cannot be rebuilt (a truncated value)' }),
  }),
  startOffsets: Offsets,
  endOffsets: {
    ...Offsets,
    description: "the error topic's end when the replay started: it reads up to here",
  },
  positions: { ...Offsets, description: 'where it has read to (everything below is done)' },
  worker: Nullable(
    Type.Object({
      id: Type.String({ description: 'the worker performing it' }),
      heartbeatAt: Nullable(Type.String({ format: 'date-time' })),
    }),
  ),
  claims: Type.Integer({
    description: 'times a worker took it (more than one: resumed after a worker stopped)',
  }),
  reason: Nullable(Type.String({ description: 'why it failed or was cancelled' })),
  createdBy: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  endedAt: Nullable(Type.String({ format: 'date-time' })),
  dryRunReport: Type.Optional(
    Nullable(
      Type.Object({
        outcomes: Type.Record(Type.String(), Type.Integer(), {
          description: 'records per outcome: index, fail:<stage>:<errorType>, skip:<why>',
        }),
        sample: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
          maxItems: DRY_RUN_SAMPLE_SIZE,
          description: 'the first records and what would happen to each (ids, indices, or why they fail)',
        }),
      }),
    ),
  ),
});

export const ReplayListSchema = Type.Object({
  items: Type.Array(ReplaySchema),
  nextCursor: Nullable(
    Type.String({ description: 'pass as `cursor` for the next page; null on the last page' }),
  ),
});

import { Type } from '@sinclair/typebox';
import { OBSERVED_STATES } from '../interfaces/observed';
import { Nullable, StringEnum } from './schemaKit';

/** The observed side of a pipeline in responses (GET one, GET list, GET tasks). */

export const ObservedStatusSchema = Type.Object(
  {
    status: StringEnum(OBSERVED_STATES, {
      description:
        'what the tasks do: starting, running, degraded (retrying, error rate or growing lag over the threshold, a silent worker, an unassigned partition), failed (a task failed, or no live worker), stopping, stopped',
    }),
    reason: Nullable(Type.String({ description: 'why, when not plainly running or stopped' })),
    tasks: Type.Object(
      {
        total: Type.Integer(),
        live: Type.Integer({ description: 'tasks whose worker sent a heartbeat recently' }),
        running: Type.Integer(),
        starting: Type.Integer(),
        failed: Type.Integer(),
      },
      { additionalProperties: false },
    ),
    lag: Nullable(Type.Integer({ description: 'records behind the end of the input topic (live tasks)' })),
    lagGrowthPerMin: Nullable(
      Type.Number({ description: 'change of the lag per minute over the last minute; > 0: falling behind' }),
    ),
    recordsPerSec: Type.Number({ description: 'records indexed per second over the last minute' }),
    errorRate: Nullable(
      Type.Number({ description: 'failed / finished records over the last minute; null without traffic' }),
    ),
    heartbeatAgeSec: Nullable(
      Type.Number({ description: "age of the oldest heartbeat among the tasks' workers (s)" }),
    ),
  },
  { additionalProperties: false, description: "the pipeline's tasks summarised (read-only)" },
);

export const PartitionLagSchema = Nullable(
  Type.Array(Type.Object({ partition: Type.Integer(), lag: Type.Integer() }), {
    description: 'lag of each assigned partition; null when the worker could not read it',
  }),
);

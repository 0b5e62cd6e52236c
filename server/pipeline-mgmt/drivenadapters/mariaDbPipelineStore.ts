import type { Knex } from 'knex';
import {
  Pipeline,
  pipelineFromRow,
  PipelineRow,
  PIPELINES_TABLE,
  pipelineToRow,
  testsColumn,
} from '../../common/pipelines';
import { TASKS_TABLE } from '../../common/taskRows';
import type {
  ActivateResult,
  Lifecycle,
  ListPage,
  ListQuery,
  PipelineChange,
  PipelineStore,
  ReserveResult,
  StoredPipeline,
  UpdateResult,
} from '../interfaces/pipelineStore';
import { dbCall, isDuplicateKey } from './dbErrors';
import { keysetPage } from './keysetPage';
import { insertAudit } from './mariaDbAuditLog';
import { insertVersion, VERSIONS_TABLE, versionsOf, versionOf } from './mariaDbPipelineVersions';

interface StoredRow extends PipelineRow {
  lifecycle: string;
  index_created: number | boolean;
}

const LIFECYCLES: readonly Lifecycle[] = ['creating', 'ready', 'deleting'];

function fromStoredRow(row: StoredRow): StoredPipeline {
  const lifecycle = LIFECYCLES.find((l) => l === row.lifecycle);
  if (!lifecycle) throw new Error(`pipeline ${row.id}: unknown lifecycle ${row.lifecycle}`);
  return { pipeline: pipelineFromRow(row), lifecycle, indexCreated: Boolean(row.index_created) };
}

/** `%` and `_` are wildcards in LIKE; a name prefix is matched literally. */
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function changeToRow(change: PipelineChange): Record<string, unknown> {
  const row: Record<string, unknown> = { updated_by: change.updatedBy, updated_at: change.updatedAt };
  const f = change.fields;
  if (f?.description !== undefined) row.description = f.description;
  if (f?.index !== undefined) row.index_name = f.index;
  if (f?.flush !== undefined) {
    row.flush_mib = f.flush.mib ?? null;
    row.flush_items = f.flush.items ?? null;
    row.flush_interval_sec = f.flush.intervalSec ?? null;
  }
  if (f?.idField !== undefined) row.id_field = f.idField;
  if (f?.outputEnabled !== undefined) row.output_enabled = f.outputEnabled;
  if (f?.processors !== undefined)
    row.processors_json = f.processors.length > 0 ? JSON.stringify(f.processors) : null;
  if (f?.indexTemplate !== undefined) row.index_template = f.indexTemplate;
  if (f?.schema !== undefined) row.schema_json = f.schema ? JSON.stringify(f.schema) : null;
  if (f?.tests !== undefined) row.tests_json = testsColumn(f.tests);
  if (change.status !== undefined) row.desired_status = change.status;
  if (change.lifecycle !== undefined) row.lifecycle = change.lifecycle;
  return row;
}

/** Pipeline records in MariaDB (table `pipelines`; task rows in `pipeline_tasks`). */
export function createMariaDbPipelineStore({ db }: { db: Knex }): PipelineStore {
  const table = (k: Knex | Knex.Transaction = db) => k<StoredRow>(PIPELINES_TABLE);

  const getIn = async (k: Knex | Knex.Transaction, id: string) => {
    const row = (await table(k).where({ id }).first()) as StoredRow | undefined;
    return row ? fromStoredRow(row) : undefined;
  };
  const get = (id: string) => dbCall(() => getIn(db, id));
  const getByName = (name: string) =>
    dbCall(async () => {
      const row = (await table().where({ name }).first()) as StoredRow | undefined;
      return row ? fromStoredRow(row) : undefined;
    });

  return {
    get,
    getByName,

    reserve: (record: Pipeline, { indexCreated }): Promise<ReserveResult> =>
      dbCall(async () => {
        try {
          await table().insert({
            ...pipelineToRow({ ...record, status: 'stopped' }),
            lifecycle: 'creating',
            index_created: indexCreated,
          });
          return { result: 'reserved' };
        } catch (e: unknown) {
          if (!isDuplicateKey(e)) throw e;
          const existing = await getByName(record.name);
          return existing ? { result: 'taken', existing } : { result: 'taken' };
        }
      }),

    markIndexCreated: (id) =>
      dbCall(async () => {
        await table().where({ id }).update({ index_created: true });
      }),

    activate: (id, status, at, audit) =>
      dbCall(() =>
        db.transaction(async (trx): Promise<ActivateResult> => {
          const n = await table(trx)
            .where({ id, lifecycle: 'creating' })
            .update({ lifecycle: 'ready', desired_status: status, updated_at: at });
          const stored = n === 1 ? await getIn(trx, id) : undefined;
          if (!stored) return { result: 'taken_over' };
          await insertAudit(trx, audit, at, { before: null, after: stored.pipeline.version });
          await insertVersion(trx, stored.pipeline, audit, at);
          return { result: 'activated', pipeline: stored.pipeline };
        }),
      ),

    removeReservation: (id) =>
      dbCall(async () => {
        await table().where({ id, lifecycle: 'creating' }).delete();
      }),

    list: (query: ListQuery): Promise<ListPage> =>
      dbCall(async () => {
        const q = table().whereNot({ lifecycle: 'creating' });
        if (query.team !== undefined) q.where({ team: query.team });
        if (query.status) q.where({ desired_status: query.status });
        if (query.namePrefix) q.whereRaw("name LIKE ? ESCAPE '\\\\'", [`${escapeLike(query.namePrefix)}%`]);
        return keysetPage(q, query, (r: StoredRow) => fromStoredRow(r).pipeline);
      }),

    update: (id, expectedVersion, change): Promise<UpdateResult> =>
      dbCall(() =>
        db.transaction(async (trx): Promise<UpdateResult> => {
          const n = await table(trx)
            .where({ id, version: expectedVersion })
            .update({ ...changeToRow(change), version: db.raw('version + 1') });
          const stored = await getIn(trx, id);
          if (!stored) return { result: 'gone' };
          if (n !== 1) return { result: 'stale' };
          if (change.audit) {
            await insertAudit(trx, change.audit, change.updatedAt, {
              before: expectedVersion,
              after: stored.pipeline.version,
            });
            await insertVersion(trx, stored.pipeline, change.audit, change.updatedAt);
          }
          return { result: 'updated', pipeline: stored.pipeline };
        }),
      ),

    listVersions: (id, query) => dbCall(() => versionsOf(db, id, query)),
    getVersion: (id, version) => dbCall(() => versionOf(db, id, version)),

    remove: (id, audit) =>
      dbCall(async () => {
        await db.transaction(async (trx) => {
          const row = (await table(trx).where({ id }).forUpdate().first()) as StoredRow | undefined;
          await trx(TASKS_TABLE).where({ pipeline_id: id }).delete();
          await trx(VERSIONS_TABLE).where({ pipeline_id: id }).delete();
          const n = await trx(PIPELINES_TABLE).where({ id }).delete();
          if (n === 1 && row) {
            await insertAudit(trx, audit, new Date(), { before: Number(row.version), after: null });
          }
        });
      }),
  };
}

import type { Knex } from 'knex';
import { PIPELINES_TABLE, pipelineToRow } from '../../../server/common/pipelines';
import { createMariaDbPipelineSource } from '../../../server/pipeline-worker/drivenadapters/mariaDbPipelineSource';
import { aPipeline } from '../../fixtures/pipelines';
import { testLogger } from '../../helpers';
import { createMigratedDatabase, MigratedDatabase } from '../../helpers/adapter-env';

// createMariaDbPipelineSource on the real MariaDB, with rows written as pipeline-mgmt writes them.
describe('MariaDbPipelineSource', () => {
  let env: MigratedDatabase;
  let db: Knex;

  beforeAll(async () => {
    env = await createMigratedDatabase();
    db = env.db;
  });
  afterAll(() => env?.close());

  it('lists the ready pipelines, running or stopped, as full records; creating, deleting and unreadable rows are left out', async () => {
    const running = aPipeline({
      status: 'running',
      flush: { mib: 1.5, items: 100, intervalSec: 2 },
      idField: 'id',
    });
    const stopped = aPipeline({ status: 'stopped', team: 'team-a', outputEnabled: false, partitions: 3 });
    const creating = aPipeline();
    const deleting = aPipeline();
    const unreadable = aPipeline();
    await db(PIPELINES_TABLE).insert([
      { ...pipelineToRow(running), lifecycle: 'ready' },
      { ...pipelineToRow(stopped), lifecycle: 'ready' },
      { ...pipelineToRow(creating), lifecycle: 'creating' },
      { ...pipelineToRow(deleting), lifecycle: 'deleting' },
      { ...pipelineToRow(unreadable), lifecycle: 'ready', desired_status: 'paused' },
    ]);
    const source = createMariaDbPipelineSource({ db, logger: testLogger('pipeline-source') });

    const listed = await source.listActive();

    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect([...listed].sort(byId)).toEqual([running, stopped].sort(byId));
  });

  it('sees a change of a row on the next call', async () => {
    const p = aPipeline({ status: 'running' });
    await db(PIPELINES_TABLE).insert({ ...pipelineToRow(p), lifecycle: 'ready' });
    const source = createMariaDbPipelineSource({ db, logger: testLogger('pipeline-source') });
    expect((await source.listActive()).find((x) => x.id === p.id)?.status).toBe('running');

    await db(PIPELINES_TABLE).where({ id: p.id }).update({ desired_status: 'stopped', version: 2 });
    expect((await source.listActive()).find((x) => x.id === p.id)).toMatchObject({
      status: 'stopped',
      version: 2,
    });

    await db(PIPELINES_TABLE).where({ id: p.id }).update({ lifecycle: 'deleting' });
    expect((await source.listActive()).find((x) => x.id === p.id)).toBeUndefined();
  });
});

import type { Knex } from 'knex';
import * as m001 from './001_pipelines';
import * as m002 from './002_pipeline_lifecycle';
import * as m003 from './003_api_tokens';
import * as m004 from './004_audit_log';
import * as m005 from './005_pipelines_team_index';
import * as m006 from './006_task_observability';
import * as m007 from './007_pipeline_processing';
import * as m008 from './008_pipeline_versions';
import * as m009 from './009_pipeline_tests';
import * as m010 from './010_pipeline_replays';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Every migration, in order. Listed statically so the same code runs from TypeScript and from dist/. */
export const MIGRATIONS: ReadonlyArray<[string, Migration]> = [
  ['001_pipelines', m001],
  ['002_pipeline_lifecycle', m002],
  ['003_api_tokens', m003],
  ['004_audit_log', m004],
  ['005_pipelines_team_index', m005],
  ['006_task_observability', m006],
  ['007_pipeline_processing', m007],
  ['008_pipeline_versions', m008],
  ['009_pipeline_tests', m009],
  ['010_pipeline_replays', m010],
];

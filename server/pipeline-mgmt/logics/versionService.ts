import { NotFoundError } from '../../common/errors';
import type { Pipeline } from '../../common/pipelines';
import type { PipelineService } from '../interfaces/pipelineService';
import type { PipelineStore } from '../interfaces/pipelineStore';
import type { VersionChange, VersionService } from '../interfaces/versionService';
import { requireRole } from './access';
import { mutableOf } from './updatePipeline';

/** Fields that differ between any two versions by construction; a diff leaves them out. */
const BOOKKEEPING = new Set(['version', 'updatedAt', 'updatedBy']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field-by-field differences of two JSON values, objects by key and arrays by position. */
export function jsonDiff(from: unknown, to: unknown, path = ''): VersionChange[] {
  if (JSON.stringify(from) === JSON.stringify(to)) return [];
  if (isObject(from) && isObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])];
    return keys.flatMap((k) => jsonDiff(from[k], to[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    const n = Math.max(from.length, to.length);
    return Array.from({ length: n }, (_, i) => jsonDiff(from[i], to[i], `${path}[${i}]`)).flat();
  }
  return [{ path, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) }];
}

function settingsOf(p: Pipeline): Record<string, unknown> {
  return Object.fromEntries(Object.entries(p).filter(([k]) => !BOOKKEEPING.has(k)));
}

export interface VersionServiceDeps {
  pipelines: Pick<PipelineService, 'getPipeline' | 'replacePipeline'>;
  store: Pick<PipelineStore, 'listVersions' | 'getVersion'>;
}

/**
 * Versions of a pipeline, as the store keeps them (one per change, written with the change): read
 * by its team's viewers; a rollback (editors) is a PUT of the old version's settings, so it goes
 * through every check an update does and makes a new version.
 */
export function createVersionService({ pipelines, store }: VersionServiceDeps): VersionService {
  const version = async (id: string, v: number) => {
    const found = await store.getVersion(id, v);
    if (!found) throw new NotFoundError(`pipeline ${id} has no version ${v}`, 'version_not_found');
    return found;
  };
  return {
    async list(id, query, actor) {
      await pipelines.getPipeline(id, actor);
      return store.listVersions(id, query);
    },
    async get(id, v, actor) {
      await pipelines.getPipeline(id, actor);
      return version(id, v);
    },
    async diff(id, from, to, actor) {
      await pipelines.getPipeline(id, actor);
      const [a, b] = await Promise.all([version(id, from), version(id, to)]);
      return { from, to, changes: jsonDiff(settingsOf(a.pipeline), settingsOf(b.pipeline)) };
    },
    async rollback(id, v, actor) {
      const current = await pipelines.getPipeline(id, actor);
      requireRole(actor, 'editor', 'rolling back a pipeline');
      const old = await version(id, v);
      const pipeline = await pipelines.replacePipeline(id, mutableOf(old.pipeline), {}, { actor });
      return { pipeline, changed: pipeline.version !== current.version };
    },
  };
}

import { ConflictError, InputError, NotFoundError, PreconditionFailedError } from '../../common/errors';
import type { Pipeline } from '../../common/pipelines';
import type { Actor } from '../interfaces/actor';
import type { ImmutableEcho, VersionPrecondition } from '../interfaces/pipelineService';
import type { PipelineStore, StoredPipeline } from '../interfaces/pipelineStore';
import { canSeePipeline } from './access';

export const pipelineNotFound = (id: string) =>
  new NotFoundError(`no pipeline with id "${id}"`, 'pipeline_not_found');

/**
 * The record as this caller sees it: a record still being created does not exist yet, and neither
 * does another team's (same error, same message: the caller cannot tell the two apart).
 */
export async function getVisible(store: PipelineStore, id: string, actor: Actor): Promise<StoredPipeline> {
  const stored = await store.get(id);
  if (!stored || stored.lifecycle === 'creating' || !canSeePipeline(actor, stored.pipeline)) {
    throw pipelineNotFound(id);
  }
  return stored;
}

export function assertNotDeleting(stored: StoredPipeline): void {
  if (stored.lifecycle === 'deleting') {
    throw new ConflictError(
      `pipeline "${stored.pipeline.name}" is being deleted; repeat DELETE to finish`,
      'pipeline_deleting',
      { id: stored.pipeline.id },
    );
  }
}

export function checkPrecondition(precondition: VersionPrecondition | undefined, current: number): void {
  if (!precondition || precondition.kind === 'any') return;
  if (!precondition.versions.includes(current)) {
    throw new PreconditionFailedError(
      `pipeline was changed meanwhile: If-Match names version ${precondition.versions.join(', ')}, current is ${current}`,
      { currentVersion: current },
    );
  }
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * An update body may repeat read-only fields (a GET body sent back), but not change them. A
 * different `version` is a stale write (412); `updatedBy` / `updatedAt` are ignored.
 */
export function checkEcho(echo: ImmutableEcho, current: Pipeline): void {
  if (echo.version !== undefined && echo.version !== current.version) {
    throw new PreconditionFailedError(`body names version ${echo.version}, current is ${current.version}`, {
      currentVersion: current.version,
    });
  }
  const fixed: Array<keyof ImmutableEcho & keyof Pipeline> = [
    'id',
    'name',
    'topics',
    'partitions',
    'replicationFactor',
    'team',
    'createdBy',
    'createdAt',
  ];
  for (const field of fixed) {
    if (echo[field] !== undefined && !sameJson(echo[field], current[field])) {
      throw new InputError(
        `${field} cannot be changed after creation`,
        { field: `/${field}` },
        'immutable_field',
      );
    }
  }
  if (echo.status !== undefined && echo.status !== current.status) {
    throw new InputError(
      'status is changed with PUT /api/v1/pipelines/{id}/status',
      { field: '/status' },
      'immutable_field',
    );
  }
}

import { ApiClient, CliError } from './apiClient';
import type { StoredPipeline } from './plan';

/** Every pipeline the token may see (optionally of one team, or with a name prefix), all pages. */
export async function listAll(
  api: ApiClient,
  filter: { team?: string; namePrefix?: string } = {},
): Promise<StoredPipeline[]> {
  const out: StoredPipeline[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ limit: '500' });
    if (filter.team) q.set('team', filter.team);
    if (filter.namePrefix) q.set('name', filter.namePrefix);
    if (cursor) q.set('cursor', cursor);
    const { body } = await api.call<{ items: StoredPipeline[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/pipelines?${q}`,
    );
    out.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return out;
}

/** The pipeline named `name` (the API lists by prefix; the name must match exactly). */
export async function byName(api: ApiClient, name: string): Promise<StoredPipeline> {
  const found = (await listAll(api, { namePrefix: name })).find((p) => p.name === name);
  if (!found) throw new CliError(`no pipeline named ${name} (or not one this token may see)`);
  return found;
}

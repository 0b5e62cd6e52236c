import { ApiClient, CliError } from '../apiClient';
import { loadManifests } from '../manifests';
import { listAll } from '../pipelines';
import { PlannedAction, planApply, renderChange } from '../plan';
import type { Output } from '../output';

export interface ApplyOptions {
  files: string[];
  dryRun: boolean;
  prune: boolean;
  selector?: string;
}

/** `--selector team=NAME` or `--selector name=PREFIX`: the pipelines `--prune` may delete. */
function parseSelector(selector: string | undefined): { team?: string; namePrefix?: string } {
  if (!selector) throw new CliError('--prune needs an explicit --selector (team=NAME or name=PREFIX)');
  const m = /^(team|name)=(.+)$/.exec(selector);
  if (!m) throw new CliError(`--selector ${selector}: expected team=NAME or name=PREFIX`);
  return m[1] === 'team' ? { team: m[2] } : { namePrefix: m[2] };
}

async function execute(api: ApiClient, a: PlannedAction): Promise<void> {
  switch (a.action) {
    case 'create':
      await api.call('POST', '/api/v1/pipelines', { body: a.body, expect: [201] });
      return;
    case 'update':
      if (Object.keys(a.patch).length > 0)
        await api.call('PATCH', `/api/v1/pipelines/${a.id}`, {
          body: a.patch,
          headers: { 'if-match': `"${a.version}"` },
          expect: [200],
        });
      if (a.status)
        await api.call('PUT', `/api/v1/pipelines/${a.id}/status`, {
          body: { status: a.status },
          expect: [200],
        });
      return;
    case 'delete':
      await api.call('DELETE', `/api/v1/pipelines/${a.id}?force=true`, { expect: [204] });
      return;
    case 'unchanged':
      return;
  }
}

/** `sdp apply -f FILE|DIR [--dry-run] [--prune --selector ...]`. */
export async function apply(api: ApiClient, o: ApplyOptions, out: Output): Promise<void> {
  if (o.files.length === 0) throw new CliError('apply needs -f FILE or -f DIR');
  const manifests = loadManifests(o.files);
  const scope = o.prune ? parseSelector(o.selector) : null;
  const existing = await listAll(api);
  const prune = scope ? { scope: await listAll(api, scope) } : null;
  const actions = planApply(manifests, existing, prune);
  const suffix = o.dryRun ? ' (dry run)' : '';
  for (const a of actions) {
    if (!o.dryRun) await execute(api, a);
    if (out.json) continue;
    out.line(`${a.action} pipeline ${a.name}${a.action === 'unchanged' ? '' : suffix}`);
    if (a.action === 'update') for (const c of a.changes) for (const l of renderChange(c)) out.line(l);
  }
  if (out.json)
    out.data({
      dryRun: o.dryRun,
      actions: actions.map((a) =>
        a.action === 'update'
          ? { action: a.action, name: a.name, changes: a.changes }
          : { action: a.action, name: a.name },
      ),
    });
}

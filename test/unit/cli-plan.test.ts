import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadManifests } from '../../cli/manifests';
import { planApply, renderChange, StoredPipeline } from '../../cli/plan';

const stored = (over: Partial<StoredPipeline> = {}): StoredPipeline => ({
  id: 'id-orders',
  name: 'orders',
  version: 3,
  status: 'running',
  index: 'orders',
  description: '',
  flush: { mib: null, items: null, intervalSec: 3 },
  idField: null,
  outputEnabled: true,
  partitions: 3,
  team: 'shop',
  ...over,
});
const manifest = (fields: Record<string, unknown>) => ({
  name: String(fields.name),
  fields,
  source: 'f.yaml#1',
});

describe('sdp apply: the plan', () => {
  it('creates what does not exist, leaves what matches, and changes only the fields a manifest names', () => {
    const plan = planApply(
      [
        manifest({ name: 'orders', index: 'orders', partitions: 3, flush: { intervalSec: 3 } }),
        manifest({ name: 'users', index: 'users' }),
        manifest({ name: 'orders2', index: 'o2' }),
      ],
      [stored(), stored({ id: 'id-users', name: 'users', index: 'people' })],
      null,
    );
    expect(plan).toEqual([
      { action: 'unchanged', name: 'orders' },
      {
        action: 'update',
        name: 'users',
        id: 'id-users',
        version: 3,
        changes: [{ field: 'index', from: 'people', to: 'users' }],
        patch: { index: 'users' },
      },
      { action: 'create', name: 'orders2', body: { name: 'orders2', index: 'o2' } },
    ]);
  });

  it('merges flush key by key, sets the status on its own, and refuses to change a field fixed at creation', () => {
    const [update] = planApply(
      [manifest({ name: 'orders', flush: { items: 500 }, status: 'stopped' })],
      [stored()],
      null,
    );
    expect(update).toMatchObject({
      action: 'update',
      patch: { flush: { items: 500 } },
      status: 'stopped',
      changes: [
        {
          field: 'flush',
          from: { mib: null, items: null, intervalSec: 3 },
          to: { mib: null, items: 500, intervalSec: 3 },
        },
        { field: 'status', from: 'running', to: 'stopped' },
      ],
    });
    expect(() => planApply([manifest({ name: 'orders', partitions: 6 })], [stored()], null)).toThrow(
      /orders.partitions is fixed at creation \(3\); it cannot become 6/,
    );
  });

  it('prunes only within the scope given, never what a manifest declares', () => {
    const scope = [stored(), stored({ id: 'id-old', name: 'old' })];
    expect(planApply([manifest({ name: 'orders' })], scope, { scope })).toEqual([
      { action: 'unchanged', name: 'orders' },
      { action: 'delete', name: 'old', id: 'id-old' },
    ]);
  });

  it('renders a change as a YAML diff', () => {
    expect(renderChange({ field: 'index', from: 'people', to: 'users' })).toEqual([
      '    - index: people',
      '    + index: users',
    ]);
  });
});

describe('sdp apply: manifests', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdp-manifests-'));
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };

  it('reads every kind: Pipeline document of the YAML files of a directory', () => {
    file(
      'a.yaml',
      'kind: Pipeline\nname: a\nindex: a\n---\nkind: Pipeline\nname: b\nindex: b\nflush: {items: 5}\n',
    );
    file('b.yml', 'apiVersion: sdp/v1\nkind: Pipeline\nname: c\nindex: c\n');
    file('notes.txt', 'not yaml: [');
    expect(loadManifests([dir]).map((m) => [m.name, m.fields])).toEqual([
      ['a', { name: 'a', index: 'a' }],
      ['b', { name: 'b', index: 'b', flush: { items: 5 } }],
      ['c', { name: 'c', index: 'c' }],
    ]);
  });

  it('says which document is wrong: bad YAML, another kind, no name, a name twice, a missing file', () => {
    expect(() => loadManifests([file('bad.yaml', 'kind: Pipeline\nname: [\n')])).toThrow(
      /bad.yaml#1: not valid YAML/,
    );
    expect(() => loadManifests([file('kind.yaml', 'kind: Index\nname: x\n')])).toThrow(
      /kind must be Pipeline, got "Index"/,
    );
    expect(() => loadManifests([file('noname.yaml', 'kind: Pipeline\nindex: x\n')])).toThrow(
      /noname.yaml#1: name is required/,
    );
    expect(() =>
      loadManifests([file('twice.yaml', 'kind: Pipeline\nname: x\n---\nkind: Pipeline\nname: x\n')]),
    ).toThrow(/twice.yaml#2: pipeline x is declared twice/);
    expect(() => loadManifests([path.join(dir, 'missing.yaml')])).toThrow(/no such file or directory/);
  });
});

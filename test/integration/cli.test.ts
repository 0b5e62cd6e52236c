import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Pipeline } from '../../server/common/pipelines';
import { buildCli } from '../helpers/worker-process';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

jest.setTimeout(120_000);

/** A port nothing listens on: one the OS just gave out and took back. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// The `sdp` CLI as a real process against a real pipeline-mgmt (real MariaDB, Kafka, OpenSearch).
describe('sdp CLI', () => {
  let h: MgmtHarness;
  let cli: string;
  let editor: string;
  let viewer: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'sdp-cli-'));
  let a: string;
  let b: string;
  let index: string;

  const sdp = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [cli, ...args],
        { env: { ...process.env, SDP_URL: h.base, SDP_TOKEN: editor, ...env } },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const byName = async (name: string) =>
    (await h.api<{ items: Pipeline[] }>('GET', `/api/v1/pipelines?name=${name}`)).body.items.find(
      (p) => p.name === name,
    );

  beforeAll(async () => {
    [h, cli] = await Promise.all([startMgmtHarness(), buildCli()]);
    editor = await h.mint({ name: 'cli-editor', role: 'editor', team: 'shop' });
    viewer = await h.mint({ name: 'cli-viewer', role: 'viewer', team: 'shop' });
    index = await h.newIndex();
    a = h.newName();
    b = h.newName();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('apply --dry-run prints what it would create and creates nothing; apply creates; again: unchanged', async () => {
    const file = write(
      'pipelines.yaml',
      `kind: Pipeline\nname: ${a}\nindex: ${index}\ndescription: orders\n---\nkind: Pipeline\nname: ${b}\nindex: ${index}\nflush: {intervalSec: 1}\n`,
    );
    const dry = await sdp(['apply', '-f', file, '--dry-run']);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toBe(`create pipeline ${a} (dry run)\ncreate pipeline ${b} (dry run)\n`);
    expect(await byName(a)).toBeUndefined();

    const applied = await sdp(['apply', '-f', dir]);
    expect(applied).toMatchObject({ code: 0, stdout: `create pipeline ${a}\ncreate pipeline ${b}\n` });
    expect(await byName(a)).toMatchObject({ index, description: 'orders', team: 'shop' });

    const again = await sdp(['apply', '-f', file]);
    expect(again.stdout).toBe(`unchanged pipeline ${a}\nunchanged pipeline ${b}\n`);
  });

  it('apply shows a readable diff of an update, applies it, and can stop a pipeline; --output json for scripts', async () => {
    const file = write(
      'pipelines.yaml',
      `kind: Pipeline\nname: ${a}\nindex: ${index}\ndescription: all orders\nstatus: stopped\n`,
    );
    const dry = await sdp(['apply', '-f', file, '--dry-run']);
    expect(dry.stdout).toBe(
      [
        `update pipeline ${a} (dry run)`,
        '    - description: orders',
        '    + description: all orders',
        '    - status: running',
        '    + status: stopped',
        '',
      ].join('\n'),
    );
    const json = await sdp(['apply', '-f', file, '--output', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      dryRun: false,
      actions: [
        {
          action: 'update',
          name: a,
          changes: [
            { field: 'description', from: 'orders', to: 'all orders' },
            { field: 'status', from: 'running', to: 'stopped' },
          ],
        },
      ],
    });
    expect(await byName(a)).toMatchObject({ description: 'all orders', status: 'stopped' });
  });

  it('get pipelines and describe pipeline show what the API has', async () => {
    const list = await sdp(['get', 'pipelines']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+OBSERVED\s+INDEX\s+LAG\s+TEAM$/);
    expect(list.stdout).toMatch(new RegExp(`${a}\\s+stopped\\s+stopped\\s+${index}`));
    const described = await sdp(['describe', 'pipeline', b]);
    expect(described.code).toBe(0);
    expect(described.stdout).toContain(`Name:        ${b}`);
    expect(described.stdout).toContain(
      `Topics:      sdp.${b}.input -> sdp.${b}.output, errors sdp.${b}.error`,
    );
    const json = await sdp(['get', 'pipelines', '-o', 'json']);
    expect(
      JSON.parse(json.stdout)
        .items.map((p: Pipeline) => p.name)
        .sort(),
    ).toEqual([a, b].sort());
  });

  it('prune deletes only within an explicit selector', async () => {
    const file = write(
      'pipelines.yaml',
      `kind: Pipeline\nname: ${a}\nindex: ${index}\ndescription: all orders\nstatus: stopped\n`,
    );
    const refused = await sdp(['apply', '-f', file, '--prune']);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toBe('sdp: --prune needs an explicit --selector (team=NAME or name=PREFIX)\n');
    const pruned = await sdp(['apply', '-f', file, '--prune', '--selector', `name=${b}`]);
    expect(pruned).toMatchObject({ code: 0, stdout: `unchanged pipeline ${a}\ndelete pipeline ${b}\n` });
    expect(await byName(b)).toBeUndefined();
    expect(await byName(a)).toBeDefined();
  });

  it('exits non-zero with a one-line reason: unreachable, 401, 403, validation with field paths, bad files, bad usage', async () => {
    const file = write('one.yaml', `kind: Pipeline\nname: ${a}\nindex: ${index}\ndescription: changed\n`);
    const closed = await closedPort();
    const unreachable = await sdp(['get', 'pipelines'], { SDP_URL: `http://127.0.0.1:${closed}` });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toBe(
      `sdp: cannot reach pipeline-mgmt at http://127.0.0.1:${closed} (ECONNREFUSED)\n`,
    );
    const noToken = await sdp(['get', 'pipelines'], { SDP_TOKEN: '' });
    expect(noToken.stderr).toBe('sdp: no API token: set SDP_TOKEN or pass --token\n');
    const badToken = await sdp(['get', 'pipelines', '--token', 'sdp_0000_nope']);
    expect(badToken).toMatchObject({ code: 1 });
    expect(badToken.stderr).toMatch(/^sdp: GET \/api\/v1\/pipelines\?limit=500: 401 unauthenticated: /);
    const forbidden = await sdp(['apply', '-f', file], { SDP_TOKEN: viewer });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/PATCH \/api\/v1\/pipelines\/[0-9a-f-]+: 403 forbidden: /);
    const invalid = write(
      'invalid.yaml',
      `kind: Pipeline\nname: ${h.newName()}\nindex: ${index}\nflush: {items: 0}\n`,
    );
    const rejected = await sdp(['apply', '-f', invalid]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/POST \/api\/v1\/pipelines: 400 validation_failed: .*\(\/flush\/items /);
    expect(rejected.stderr.split('\n')).toHaveLength(2);
    const notYaml = await sdp(['apply', '-f', write('x.yaml', 'kind: Pipeline\nname: [\n')]);
    expect(notYaml.stderr).toMatch(/^sdp: .*x\.yaml#1: not valid YAML/);
    const usage = await sdp(['frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown command 'frobnicate'");
  });
});

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
  it('simulate tries a manifest before it is applied; tests refuse a bad apply; versions, diff and rollback', async () => {
    const records = write('records.ndjson', '{"user":"Ann"}\n{"user":"bot"}\n"{broken"\n');
    const change = write(
      'change.yaml',
      `kind: Pipeline\nname: ${a}\nindex: ${index}\nprocessors:\n  - lowercase: {field: user}\n  - drop: {if: "doc.user == 'bot'"}\n`,
    );
    const sim = await sdp(['simulate', '-f', change, '--records', records]);
    expect(sim).toMatchObject({ code: 0, stderr: '' });
    const simLines = sim.stdout.split('\n');
    expect(simLines.slice(0, 6)).toEqual([
      `simulated 3 records through pipeline ${a}`,
      `record 1: indexed ${index}/sdp.${a}.input-0-0`,
      '  processors[0] lowercase: changed',
      '  {"user":"ann"}',
      'record 2: dropped',
      '  processors[1] drop: dropped',
    ]);
    expect(simLines.slice(6)).toEqual([
      expect.stringMatching(/^record 3: failed \(parse invalid_json: the value is not valid JSON: /),
      '',
    ]);
    // Nothing was applied by simulating.
    expect((await byName(a))?.processors).toEqual([]);
    const strict = await sdp([
      'simulate',
      '-f',
      change,
      '--records',
      records,
      '--fail-on-failed',
      '-o',
      'json',
    ]);
    expect(strict.code).toBe(3);
    expect(strict.stderr).toBe('sdp: 1 of 3 records would fail\n');
    expect(JSON.parse(strict.stdout).results.map((r: { status: string }) => r.status)).toEqual([
      'indexed',
      'dropped',
      'failed',
    ]);
    const fresh = write('new.yaml', `kind: Pipeline\nname: ${h.newName()}\nindex: ${index}\nidField: user\n`);
    const simNew = await sdp(['simulate', '-f', fresh, '--records', records]);
    expect(simNew.stdout.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(/^simulated 3 records through new pipeline /),
      `record 1: indexed ${index}/Ann`,
    ]);

    // A manifest whose tests fail is refused with each test's path; then one that passes is applied.
    const tested = (expectUser: string) =>
      write(
        'tested.yaml',
        `${readChange()}tests:\n  - name: lowercases\n    input: {user: Ann}\n    expect: {status: indexed, doc: {user: ${expectUser}}}\n`,
      );
    const readChange = () =>
      `kind: Pipeline\nname: ${a}\nindex: ${index}\nprocessors:\n  - lowercase: {field: user}\n`;
    const refused = await sdp(['apply', '-f', tested('Ann')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /PATCH \/api\/v1\/pipelines\/[0-9a-f-]+: 400 tests_failed: .*\(tests\[0\] doc\.user: expected "Ann", got "ann"\)\n$/,
    );
    const dry = await sdp(['apply', '-f', tested('ann'), '--dry-run']);
    expect(dry.stdout.split('\n').slice(0, 5)).toEqual([
      `update pipeline ${a} (dry run)`,
      '    - processors: []',
      '    + processors:',
      '    +   - lowercase:',
      '    +       field: user',
    ]);
    expect(dry.stdout).toContain('    +   - name: lowercases\n');
    const applied = await sdp(['apply', '-f', tested('ann')]);
    expect([applied.code, applied.stdout.split('\n')[0]]).toEqual([0, `update pipeline ${a}`]);

    const versions = await sdp(['versions', a]);
    expect(versions.code).toBe(0);
    const lines = versions.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^VERSION\s+AT\s+BY\s+CHANGE$/);
    expect(lines[1]).toMatch(/^\d+\s+\S+\s+cli-editor\s+pipeline\.update$/);
    const current = Number(lines[1]!.split(/\s+/)[0]);
    const diff = await sdp(['versions', a, '--diff', String(current - 1)]);
    expect(diff.stdout).toContain(`pipeline ${a}: version ${current - 1} -> ${current}`);
    expect(diff.stdout).toContain('    + processors[0]:');
    const back = await sdp(['rollback', a, String(current - 1)]);
    expect(back).toMatchObject({
      code: 0,
      stdout: `rolled back pipeline ${a} to the settings of version ${current - 1}: now version ${current + 1}\n`,
    });
    expect((await byName(a))?.processors).toEqual([]);
    const none = await sdp(['rollback', a, '999']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/404 version_not_found/);
  });
});

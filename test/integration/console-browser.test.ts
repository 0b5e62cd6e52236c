import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { findAppRoot } from '../../server/common/paths';
import { goodRecord, WORKER_TEST_MAPPING } from '../fixtures/worker-records';
import { waitFor } from '../helpers';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';
import { buildWorker, killWorker, spawnWorker, WorkerProcess, workerEnvFor } from '../helpers/worker-process';

jest.setTimeout(180_000);

const ROOT = findAppRoot();
const CHROMIUM = '/usr/bin/chromium';
/** SDP_CONSOLE_SCREENSHOTS=1 rewrites the README's screenshots in docs/. */
const SCREENSHOTS = process.env.SDP_CONSOLE_SCREENSHOTS === '1';
const VIEWPORT = { width: 1366, height: 820 }; // a laptop screen

interface View {
  id: string;
  name: string;
  index: string;
  status: string;
  topics: { input: string };
  observed: { status: string };
}

// Issue 16 in a real browser: Debian's Chromium driven by playwright-core, against one
// pipeline-mgmt (in process, fresh database) and a real pipeline-worker process on the real stack.
// Every request the browser makes goes through a route that lets only mgmt's own origin through.
describe('console: the operations console in Chromium against the real mgmt and worker', () => {
  let h: MgmtHarness;
  let worker: WorkerProcess | null = null;
  let context: BrowserContext;
  let userDataDir: string;
  let origin: string;
  let live: View;
  let idle: View;
  let viewerToken: string;
  /** Requests the route refused (anything not to mgmt) and every URL the browser asked for. */
  const outside: string[] = [];
  const requested: string[] = [];
  /** Console errors and page errors (a CSP violation shows up here). */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash scripts/install-tools.sh`);
    if (!existsSync(path.join(ROOT, 'dist', 'console', 'index.html')))
      execFileSync(process.execPath, [path.join(ROOT, 'console', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
    let entry: string;
    [h, entry] = await Promise.all([
      startMgmtHarness({}, { SDP_SERVER_WORKER_HEARTBEAT_TIMEOUT_SEC: '5' }),
      buildWorker(),
    ]);
    origin = h.base;
    const create = async (name: string, extra: Record<string, unknown>) => {
      const res = await h.api<View>('POST', '/api/v1/pipelines', {
        body: {
          name: h.newName(name),
          index: h.indexName(),
          partitions: 2,
          description: 'console browser test',
          createIndex: {
            settings: { number_of_shards: 1, number_of_replicas: 0 },
            mappings: WORKER_TEST_MAPPING,
          },
          ...extra,
        },
      });
      expect(res.status).toBe(201);
      return res.body;
    };
    const suffix = Math.random().toString(36).slice(2, 7);
    live = await create(`orders-${suffix}`, { team: 'shop' });
    idle = await create(`clicks-${suffix}`, { status: 'stopped', team: 'web' });
    viewerToken = await h.mint({ name: `console-viewer-${suffix}`, role: 'viewer', team: 'shop' });

    worker = spawnWorker(
      entry,
      workerEnvFor(h.config, { SDP_SERVER_FLUSH_INTERVAL_SEC: '0.3' }),
      'console-worker',
    );
    await worker.ready;

    userDataDir = mkdtempSync(path.join(tmpdir(), 'sdp-console-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: VIEWPORT,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      requested.push(url);
      if (new URL(url).origin === origin) await route.continue();
      else {
        outside.push(url);
        await route.abort('blockedbyclient');
      }
    });
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (worker) await killWorker(worker);
    await h?.stop();
  });

  const newPage = async (): Promise<Page> => {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  };
  const signIn = async (page: Page, token: string) => {
    await page.goto(`${origin}/console`);
    await page.getByLabel('API token').fill(token);
    await page.keyboard.press('Enter');
  };
  const row = (page: Page, name: string) => page.locator(`tr[data-pipeline="${name}"]`);
  const badgeOf = (page: Page, name: string) => row(page, name).locator('.badge').first();
  const apiStatus = async (id: string) => (await h.api<View>('GET', `/api/v1/pipelines/${id}`)).body;
  const shot = async (page: Page, file: string) => {
    if (!SCREENSHOTS) return;
    mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'docs', file), fullPage: true });
  };

  let page: Page;

  it('serves /console with a strict CSP and no inline code', async () => {
    const res = await fetch(`${origin}/console`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file
    expect(html).not.toMatch(/<style|style=/);
    const js = await fetch(`${origin}/console/assets/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${origin}/console/assets/nope.js`)).status).toBe(404);
  });

  it('refuses a bad token with the API error, signs in with a good one, keeps it for the session only', async () => {
    page = await newPage();
    await page.goto(`${origin}/console`);
    await shot(page, 'console-signin.png');
    await signIn(page, 'not-a-token');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.textContent();
    expect(text).toContain('Sign-in failed');
    expect(text).toContain('HTTP 401');
    expect(text).toContain('unauthenticated');
    expect(await page.evaluate('window.sessionStorage.length')).toBe(0);

    await page.getByLabel('API token').fill(h.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Pipelines' }).waitFor();
    expect(page.url()).not.toContain(h.adminToken);
    expect(await page.evaluate('window.localStorage.length')).toBe(0);
    expect(await page.evaluate('Object.values({ ...window.sessionStorage })')).toEqual([h.adminToken]);
    expect(await page.evaluate('document.cookie')).toBe('');
  });

  it('lists the pipelines with their observed status, failures first, filtered by status and name', async () => {
    await waitFor(async () => (await badgeOf(page, live.name).textContent()) === 'running', {
      timeoutMs: 60_000,
      what: `${live.name} shown running`,
    });
    expect(await badgeOf(page, idle.name).textContent()).toBe('stopped');
    // Some traffic, so the rate and the last flush are real; the list shows them on its next poll.
    const ingest = await h.api('POST', `/api/v1/pipelines/${live.id}/records?wait=indexed`, {
      body: Array.from({ length: 50 }, (_, i) => JSON.parse(goodRecord(i)) as unknown),
    });
    expect(ingest.status).toBe(200);
    await waitFor(async () => !/never/.test((await row(page, live.name).textContent()) ?? 'never'), {
      timeoutMs: 20_000,
      what: 'the last flush shown in the list',
    });
    // running sorts before stopped
    const names = await page
      .locator('tr[data-pipeline]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-pipeline')));
    expect(names).toEqual([live.name, idle.name]);

    await page.getByLabel('Status').selectOption('stopped');
    await waitFor(async () => (await page.locator('tr[data-pipeline]').count()) === 1, {
      what: 'status filter',
    });
    expect(await row(page, idle.name).count()).toBe(1);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Team').selectOption('shop');
    await waitFor(async () => (await page.locator('tr[data-pipeline]').count()) === 1, {
      what: 'team filter',
    });
    expect(await row(page, live.name).count()).toBe(1);
    await page.getByLabel('Team').selectOption('');
    await page.getByLabel('Search by name').fill(live.name.slice(0, 8));
    await waitFor(async () => (await page.locator('tr[data-pipeline]').count()) === 1, {
      what: 'name search',
    });
    expect(await row(page, live.name).count()).toBe(1);
    await page.getByLabel('Search by name').fill('');
    await row(page, idle.name).waitFor();
    await shot(page, 'console-pipelines.png');
  });

  it('shows a pipeline with live status, its tasks per worker and its configuration', async () => {
    await row(page, live.name).getByRole('link', { name: live.name }).click();
    await page.getByRole('heading', { name: live.name }).waitFor();
    expect(page.url()).toContain(`#/pipelines/${live.id}`);
    const task = page.locator('tr[data-worker]');
    await task.first().waitFor({ timeout: 30_000 });
    const taskText = (await task.first().textContent()) ?? '';
    expect(taskText).toContain('running');
    expect(await page.locator('header.detail-head .badge').textContent()).toBe('running');
    const config = (await page.locator('section[aria-labelledby="config"]').textContent()) ?? '';
    expect(config).toContain(live.index);
    expect(config).toContain(`sdp.${live.name}.input`);
    // The detail polls: a second sample lands in the chart without a reload.
    await waitFor(
      async () =>
        (await page.locator('figure.chart figcaption').first().textContent())?.match(
          /\((max [^,]+, )?(\d+) samples/,
        )?.[2] !== '1',
      { timeoutMs: 20_000, what: 'a second chart sample' },
    );
    await shot(page, 'console-pipeline.png');
  });

  it('stops and starts the pipeline with a confirmation, by mouse and by keyboard', async () => {
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.keyboard.press('Escape'); // cancel: nothing changes
    await dialog.waitFor({ state: 'detached' });
    expect((await apiStatus(live.id)).status).toBe('running');

    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await dialog.getByRole('button', { name: 'Stop pipeline' }).click();
    await page.getByRole('status').filter({ hasText: 'Desired status is now stopped' }).waitFor();
    expect((await apiStatus(live.id)).status).toBe('stopped');
    await waitFor(async () => (await page.locator('header.detail-head .badge').textContent()) === 'stopped', {
      timeoutMs: 60_000,
      what: 'observed stopped on the page',
    });

    // Start with the keyboard only: focus the button, Enter, Tab from Cancel to Start, Enter.
    await page.getByRole('button', { name: 'Start', exact: true }).focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Cancel');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Desired status is now running' }).waitFor();
    expect((await apiStatus(live.id)).status).toBe('running');
    await waitFor(async () => (await page.locator('header.detail-head .badge').textContent()) === 'running', {
      timeoutMs: 60_000,
      what: 'observed running again on the page',
    });
  });

  it("shows the pipeline's failed records and its versions, with what changed and a rollback", async () => {
    const producer = h.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({
      topic: live.topics.input,
      acks: -1,
      messages: ['{"broken": 1', '{"broken": 2', '[1, 2]'].map((value) => ({ value })),
    });
    await producer.disconnect();
    const failed = page.getByRole('region', { name: 'Failed records' });
    await waitFor(async () => (await failed.locator('tbody tr').count()) === 3, {
      timeoutMs: 60_000,
      what: 'three failed records on the page',
    });
    expect(await failed.locator('tbody').textContent()).toContain('invalid_json');
    expect(await failed.locator('tbody').textContent()).toContain('not_an_object');
    await failed.locator('select').selectOption('parse');
    await failed.locator('summary').first().click();
    expect(await failed.locator('details[open] pre').textContent()).toContain(`"pipelineId": "${live.id}"`);

    const versions = page.getByRole('region', { name: 'Versions' });
    // Created (1), stopped (2) and started (3) by the test before.
    await waitFor(async () => (await versions.locator('tbody tr').count()) >= 3, {
      timeoutMs: 10_000,
      what: 'versions',
    });
    await versions.locator('tr[data-version="3"]').getByRole('button', { name: 'What changed' }).click();
    await versions.getByText('Version 2 → 3').waitFor();
    expect(await versions.locator('.diff li').allTextContents()).toEqual(['status: "stopped" → "running"']);
    await versions.getByRole('button', { name: 'Roll back to 1' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    await versions.getByRole('status').filter({ hasText: 'Already as in version 1.' }).waitFor();
  });

  it('simulates records typed on the page: the steps, the live mapping, a parse failure; nothing written', async () => {
    const sim = page.getByRole('region', { name: 'Simulate' });
    await sim.getByLabel(/^Records/).fill('{"n": 1, "name": "a"}\n{"n": "many"}\n{broken');
    await sim.getByLabel(/^Processors to try/).fill('[{"set": {"field": "tag", "value": "tried"}}]');
    await sim.getByRole('button', { name: 'Simulate' }).click();
    await sim.locator('table.simulation tbody tr').nth(2).waitFor();
    const rows = sim.locator('table.simulation tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')))).toEqual([
      'indexed',
      'failed',
      'failed',
    ]);
    expect(await rows.nth(0).textContent()).toContain('0. set: changed');
    expect(await rows.nth(0).textContent()).toContain('"tag":"tried"');
    expect(await rows.nth(1).textContent()).toContain('index mapper_parsing_exception');
    expect(await rows.nth(2).textContent()).toContain('parse invalid_json');
    // Tried, not stored.
    expect(
      (await h.api<{ processors: unknown[] }>('GET', `/api/v1/pipelines/${live.id}`)).body.processors,
    ).toEqual([]);
    // Text that is not JSON is refused on the page, before any request (the API's own 400s are
    // shown by the same banner, see the viewer test below).
    await sim.getByLabel(/^Processors to try/).fill('[{"set": ');
    await sim.getByRole('button', { name: 'Simulate' }).click();
    await sim.getByRole('alert').filter({ hasText: 'Could not simulate' }).waitFor();
    expect(await rows.count()).toBe(3);
  });

  it("surfaces the API's errors: a viewer may not stop, an unknown pipeline is a 404", async () => {
    const viewer = await newPage(); // a new tab: its own sessionStorage, signed out
    await signIn(viewer, viewerToken);
    await row(viewer, live.name).waitFor();
    expect(await row(viewer, idle.name).count()).toBe(0); // another team's pipeline: not listed, as in the API
    await row(viewer, live.name).getByRole('link').click();
    await viewer.getByRole('button', { name: 'Stop', exact: true }).click();
    await viewer.getByRole('dialog').getByRole('button', { name: 'Stop pipeline' }).click();
    const alert = viewer.getByRole('alert').filter({ hasText: 'Could not stop the pipeline' });
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    expect(text).toContain('HTTP 403');
    expect(text).toContain('forbidden');
    expect((await apiStatus(live.id)).status).toBe('running');

    await viewer.goto(`${origin}/console#/pipelines/00000000-0000-4000-8000-000000000000`);
    const missing = viewer.getByRole('alert').filter({ hasText: 'Could not load the pipeline' });
    await missing.waitFor();
    expect(await missing.textContent()).toContain('HTTP 404');
    await viewer.close();
  });

  it('follows the worker going away without a reload (observed status from the API)', async () => {
    await killWorker(worker!);
    worker = null;
    await waitFor(
      async () => {
        const s = await page.locator('header.detail-head .badge').textContent();
        return s === 'failed' || s === 'degraded';
      },
      { timeoutMs: 60_000, what: 'the page shows the pipeline failed or degraded' },
    );
    expect(['failed', 'degraded']).toContain((await apiStatus(live.id)).observed.status);
  });

  it('sent no request anywhere but mgmt, and the page raised no error or CSP violation', () => {
    expect(requested.length).toBeGreaterThan(10);
    expect(outside).toEqual([]);
    // Refused API calls (401, 403, 404) are logged by Chromium as failed loads; nothing else may be.
    const unexpected = pageErrors.filter(
      (e) => !/Failed to load resource: the server responded with a status of (401|403|404)/.test(e),
    );
    expect(unexpected).toEqual([]);
  });
});

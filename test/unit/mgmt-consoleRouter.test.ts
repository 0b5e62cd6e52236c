import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import type { Server } from 'node:http';
import { createConsoleRouter } from '../../server/pipeline-mgmt/driveradapters/consoleRouter';
import { CONSOLE_CSP } from '../../server/pipeline-mgmt/defaults';

// The router alone on a loopback port, over a folder made here (the browser test runs the real build).
describe('mgmt: the console router', () => {
  let dir: string;
  const servers: Server[] = [];
  const serve = async (d: string) => {
    const app = express();
    app.use(createConsoleRouter({ dir: d }));
    app.use((_req, res) => res.status(404).json({ code: 'not_found', message: 'no such route' }));
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sdp-console-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(path.join(dir, 'assets', 'app.js'), 'export {};');
    writeFileSync(path.join(dir, 'assets', '.hidden'), 'secret');
  });
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page and its assets with the strict CSP', async () => {
    const base = await serve(dir);
    for (const p of ['/console', '/console/', '/console/assets/app.js']) {
      const res = await fetch(`${base}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    }
    expect((await fetch(`${base}/console`)).headers.get('content-type')).toContain('text/html');
    expect(CONSOLE_CSP).not.toMatch(/unsafe|\*/);
  });
  it('answers unknown and hidden files, and paths out of the folder, with a 404', async () => {
    const base = await serve(dir);
    for (const p of [
      '/console/assets/nope.js',
      '/console/assets/.hidden',
      '/console/assets/..%2Findex.html',
    ]) {
      expect((await fetch(`${base}${p}`)).status).toBe(404);
    }
  });
  it('says in JSON that the console was not built when its folder is empty', async () => {
    const base = await serve(path.join(dir, 'missing'));
    const res = await fetch(`${base}/console`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'console_not_built' });
  });
});

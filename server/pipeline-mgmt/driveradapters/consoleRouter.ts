import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { RequestHandler, Router } from 'express';
import { findAppRoot } from '../../common/paths';
import { CONSOLE_CSP } from '../defaults';

/** Where `npm run build` (console/build.mjs) writes the console: index.html and assets/. */
export function defaultConsoleDir(): string {
  return path.join(findAppRoot(), 'dist', 'console');
}

const consoleHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  next();
};

/**
 * The operations console (console/ at the repo root): one HTML page and its bundled assets, served
 * under /console with a strict CSP. It talks to the public REST API only, with the caller's token.
 * When the console was not built, /console answers 503 with a JSON error saying so.
 */
export function createConsoleRouter(options: { dir?: string } = {}): Router {
  const dir = options.dir ?? defaultConsoleDir();
  const index = path.join(dir, 'index.html');
  const router = Router();
  router.use('/console', consoleHeaders);
  router.get(['/console', '/console/'], (_req, res) => {
    if (!existsSync(index)) {
      res.status(503).json({
        code: 'console_not_built',
        message: 'the console was not built: run `npm run build`',
      });
      return;
    }
    res.type('html').sendFile(index, { cacheControl: false });
  });
  router.use(
    '/console/assets',
    express.static(path.join(dir, 'assets'), {
      index: false,
      redirect: false,
      cacheControl: false,
      etag: false,
    }),
  );
  return router;
}

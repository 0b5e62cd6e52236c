import { existsSync } from 'node:fs';
import path from 'node:path';

/** The folder holding package.json: the repo root in development, the app folder in the image. */
export function findAppRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
}

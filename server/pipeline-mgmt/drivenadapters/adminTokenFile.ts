import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../common/logger';

export interface AdminTokenFileDeps {
  /** Where the token lives; relative paths are taken from `baseDir`. */
  file: string;
  baseDir: string;
  logger: Logger;
  /** Makes a new admin token (the logic's format; this adapter only stores it). */
  generate: () => string;
  /** Whether a token read back from the file is one `generate` could have made. */
  isOurs: (token: string) => boolean;
}

/** The token in the file if only its owner can read it and it is one of ours; else undefined. */
function readOwn(file: string, isOurs: (token: string) => boolean): string | undefined {
  try {
    const st = statSync(file);
    if ((st.mode & 0o077) !== 0 || (process.getuid && st.uid !== process.getuid())) return undefined;
    const token = readFileSync(file, 'utf8').trim();
    return isOurs(token) ? token : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the token to a private temporary file, then links it into place (fails if one appeared meanwhile). */
function writeOwn(file: string, token: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
  try {
    try {
      unlinkSync(file); // an unusable one (wrong mode, not ours, garbage)
    } catch (e: unknown) {
      if ((e as { code?: string }).code !== 'ENOENT') throw e;
    }
    linkSync(tmp, file);
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * For a developer's `npm start` without SDP_ADMIN_TOKEN: an admin token kept in a file of mode
 * 0600 (reused across restarts while it stays private). Only the path is logged. If the file
 * cannot be written there is no bootstrap admin (tokens minted earlier still work); the error says
 * how to fix it.
 */
export function loadOrCreateAdminToken({
  file,
  baseDir,
  logger,
  generate,
  isOurs,
}: AdminTokenFileDeps): string | undefined {
  const log = logger.child({ component: 'admin-token' });
  const where = path.resolve(baseDir, file);
  const existing = readOwn(where, isOurs);
  if (existing) {
    log.warn({ path: where }, 'SDP_ADMIN_TOKEN is not set: using the admin token in this file');
    return existing;
  }
  const token = generate();
  try {
    writeOwn(where, token);
  } catch (e: unknown) {
    const raced = readOwn(where, isOurs);
    if (raced) return raced;
    log.error(
      { path: where, code: (e as { code?: string }).code },
      'SDP_ADMIN_TOKEN is not set and no admin token file could be written: no bootstrap admin. Set SDP_ADMIN_TOKEN (or SDP_ADMIN_TOKEN_FILE) or server.generatedAdminTokenFile',
    );
    return undefined;
  }
  log.warn(
    { path: where },
    'SDP_ADMIN_TOKEN is not set: generated an admin token into this file (mode 0600)',
  );
  return token;
}

import { InputError } from '../../common/errors';

export interface ListPosition {
  createdAt: string;
  id: string;
}

/** An opaque list position: base64url of a small JSON object. Clients must not parse it. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify({ c: position.createdAt, i: position.id }), 'utf8').toString('base64url');
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ID = /^[0-9a-f-]{1,36}$/;

export function decodeCursor(cursor: string): ListPosition {
  const bad = () => new InputError('cursor is not one returned by this API', { cursor }, 'invalid_cursor');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const { c, i } = (parsed ?? {}) as { c?: unknown; i?: unknown };
  if (typeof c !== 'string' || !ISO.test(c) || Number.isNaN(Date.parse(c))) throw bad();
  if (typeof i !== 'string' || !ID.test(i)) throw bad();
  return { createdAt: c, id: i };
}

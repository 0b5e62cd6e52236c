import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../../common/errors';

/**
 * Token secrets. A minted token is `sdp_<id without dashes>_<256 random bits, base64url>`; the id
 * lets the server fetch the one row to compare, and only the SHA-256 of the whole token is stored.
 *
 * Why SHA-256 and not bcrypt / scrypt: those slow hashes protect low-entropy passwords against
 * guessing. A 256-bit random token cannot be guessed, so one fast hash is as strong here, and a slow
 * hash would cost ~50-100 ms of CPU on every request, a denial-of-service lever.
 */

const MINTED = /^sdp_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
const GENERATED_ADMIN = /^sdpa_[A-Za-z0-9_-]{43}$/;
/** What `Authorization: Bearer` may carry (RFC 6750 b64token). */
export const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;
/** Longest token accepted at all (bounds the work done on garbage). */
export const MAX_TOKEN_LENGTH = 512;
export const MIN_ADMIN_TOKEN_LENGTH = 16;

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Compares two hex SHA-256 digests in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}

export function newTokenSecret(id: string, random: (n: number) => Buffer = randomBytes): string {
  return `sdp_${id.replace(/-/g, '')}_${random(32).toString('base64url')}`;
}

/** The id of a minted token (a UUID), or undefined when the string is not one. */
export function tokenIdOf(token: string): string | undefined {
  const hex = MINTED.exec(token)?.[1];
  if (!hex) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A new admin token for a developer's machine (when SDP_ADMIN_TOKEN is not set). */
export const generateAdminToken = (random: (n: number) => Buffer = randomBytes): string =>
  `sdpa_${random(32).toString('base64url')}`;

export const isGeneratedAdminToken = (token: string) => GENERATED_ADMIN.test(token);

/** SDP_ADMIN_TOKEN must be sendable as a bearer token and not trivially guessable. */
export function checkAdminToken(token: string): void {
  if (token.length < MIN_ADMIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH) {
    throw new ConfigError(
      `SDP_ADMIN_TOKEN must be ${MIN_ADMIN_TOKEN_LENGTH}-${MAX_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32)`,
    );
  }
  if (!BEARER_TOKEN.test(token)) {
    throw new ConfigError('SDP_ADMIN_TOKEN may hold only letters, digits and - . _ ~ + / (then = padding)');
  }
}

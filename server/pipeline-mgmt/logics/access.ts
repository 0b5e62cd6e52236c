import { ForbiddenError, InputError } from '../../common/errors';
import type { Pipeline } from '../../common/pipelines';
import { Actor, Role, ROLES } from '../interfaces/actor';
import type { ApiToken, TokenListQuery } from '../interfaces/tokenStore';

/**
 * Who may do what, in one place. Producers post records to their team's pipelines and nothing
 * else; viewers read their team's pipelines; editors also create and change them, post records,
 * and mint editor / viewer / producer tokens for their team; admins do everything. What a caller
 * may not see does not exist for it (callers turn that into a 404); what it sees but may not do is
 * a 403.
 */

const rank = (role: Role) => ROLES.indexOf(role);

export const hasRole = (actor: Actor, least: Role) => rank(actor.role) >= rank(least);

export function requireRole(actor: Actor, least: Role, what: string): void {
  if (!hasRole(actor, least)) throw new ForbiddenError(`${what} needs the ${least} role or more`);
}

/** Posting records (HTTP ingest): producers, editors and admins; viewers only read. */
export const canIngest = (actor: Actor) => actor.role === 'producer' || hasRole(actor, 'editor');

export function requireIngest(actor: Actor): void {
  if (!canIngest(actor)) throw new ForbiddenError('posting records needs the producer, editor or admin role');
}

export function canSeePipeline(actor: Actor, p: Pipeline): boolean {
  return actor.role === 'admin' || (p.team !== null && p.team === actor.team);
}

/** The team filter a list applies for this caller (undefined: everything, for admins). */
export function visibleTeam(actor: Actor): string | undefined {
  if (actor.role === 'admin') return undefined;
  // Editors and viewers always have a team (tokens are minted with one); be safe if not.
  return actor.team ?? '\u0000no team';
}

/** The team a new pipeline belongs to: the caller's own, or for admins the one asked for. */
export function teamForNewPipeline(actor: Actor, requested: string | null | undefined): string | null {
  requireRole(actor, 'editor', 'creating a pipeline');
  if (actor.role === 'admin') return requested === undefined ? actor.team : requested;
  if (requested !== undefined && requested !== actor.team) {
    throw new ForbiddenError('editors create pipelines for their own team only');
  }
  return actor.team;
}

/** Checks a mint request against the caller's own rights; returns the new token's team. */
export function teamForNewToken(
  actor: Actor,
  role: Role,
  requested: string | null | undefined,
): string | null {
  requireRole(actor, 'editor', 'minting a token');
  if (rank(role) > rank(actor.role)) {
    throw new ForbiddenError(`a ${actor.role} cannot mint a token with the ${role} role`);
  }
  let team: string | null;
  if (actor.role === 'admin') {
    team = requested ?? null;
  } else {
    if (requested !== undefined && requested !== actor.team) {
      throw new ForbiddenError('editors mint tokens for their own team only');
    }
    team = actor.team;
  }
  if (team === null && role !== 'admin') {
    throw new InputError(
      `a ${role} token needs a team`,
      [{ path: '/team', message: 'is required' }],
      'team_required',
    );
  }
  return team;
}

/** Admins see every token; editors their team's editor, viewer and producer tokens; the others none. */
export function canSeeToken(actor: Actor, token: ApiToken): boolean {
  if (actor.role === 'admin') return true;
  return actor.role === 'editor' && token.team === actor.team && token.role !== 'admin';
}

export function tokenFilter(actor: Actor): Pick<TokenListQuery, 'team' | 'roles'> {
  if (actor.role === 'admin') return {};
  return { team: actor.team ?? '\u0000no team', roles: ['editor', 'viewer', 'producer'] };
}

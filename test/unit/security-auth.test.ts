import { createHash } from 'node:crypto';
import { ForbiddenError, InputError, NotFoundError } from '../../server/common/errors';
import type { Pipeline } from '../../server/common/pipelines';
import { createTokenBucketLimiter } from '../../server/pipeline-mgmt/driveradapters/rateLimit';
import type { Actor } from '../../server/pipeline-mgmt/interfaces/actor';
import type { ApiToken } from '../../server/pipeline-mgmt/interfaces/tokenStore';
import {
  canSeePipeline,
  canSeeToken,
  teamForNewPipeline,
  teamForNewToken,
} from '../../server/pipeline-mgmt/logics/access';
import { createTokenService } from '../../server/pipeline-mgmt/logics/tokenService';
import { hashToken, sameHash, tokenIdOf } from '../../server/pipeline-mgmt/logics/tokenSecrets';
import { createPipelineService } from '../../server/pipeline-mgmt/logics/pipelineService';
import { testLogger } from '../helpers';
import {
  FakeIndices,
  FakeStore,
  FakeTasks,
  FakeTokenStore,
  FakeTopics,
  Faults,
  OBSERVED_SETTINGS,
} from '../helpers/mgmt-fakes';

const actor = (role: Actor['role'], team: string | null, user = `${role}-${team}`): Actor => ({
  user,
  role,
  team,
  tokenId: null,
});
const admin = actor('admin', null, 'root');
const editorA = actor('editor', 'a');
const viewerA = actor('viewer', 'a');

function tokenSetup() {
  const store = new FakeTokenStore();
  let n = 0;
  const service = createTokenService({
    store,
    logger: testLogger(),
    adminToken: 'the-bootstrap-admin-token',
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  });
  return { store, service };
}

describe('token secrets', () => {
  it('hashes with SHA-256, compares digests in constant time, and finds the id in a minted token', () => {
    expect(hashToken('abc')).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(sameHash(hashToken('a'), hashToken('a'))).toBe(true);
    expect(sameHash(hashToken('a'), hashToken('b'))).toBe(false);
    expect(sameHash(hashToken('a'), 'abcd')).toBe(false);
    expect(tokenIdOf(`sdp_${'0123456789abcdef'.repeat(2)}_${'x'.repeat(43)}`)).toBe(
      '01234567-89ab-cdef-0123-456789abcdef',
    );
    expect(tokenIdOf(`sdp_${'0'.repeat(32)}_short`)).toBeUndefined();
  });
});

describe('token service', () => {
  it('mints a token shown once, stores only its hash, and authenticates it until it is revoked', async () => {
    const { store, service } = tokenSetup();
    const minted = await service.mint({ name: 'ci', role: 'editor', team: 'a' }, admin);
    expect(minted.token).toMatch(/^sdp_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    // The secret is the last 43 characters (base64url, which may itself contain `_`).
    const row = store.rows.get(minted.id);
    expect(row?.hash).toBe(hashToken(minted.token));
    expect(JSON.stringify(row)).not.toContain(minted.token.slice(-43));
    expect(await service.authenticate(minted.token)).toEqual({
      user: 'ci',
      role: 'editor',
      team: 'a',
      tokenId: minted.id,
    });
    // One character changed (never to itself: the last character is random and may be a Q).
    const last = minted.token.slice(-1) === 'Q' ? 'R' : 'Q';
    expect(await service.authenticate(`${minted.token.slice(0, -1)}${last}`)).toBeUndefined();
    expect(await service.authenticate('the-bootstrap-admin-token')).toMatchObject({
      user: 'bootstrap-admin',
      role: 'admin',
      tokenId: null,
    });
    await service.revoke(minted.id, admin);
    expect(await service.authenticate(minted.token)).toBeUndefined();
    expect(store.audits.map((a) => a.action)).toEqual(['token.create', 'token.revoke']);
    expect(JSON.stringify(store.audits)).not.toContain(minted.token);
  });

  it.each([
    ['an editor minting an admin', editorA, { name: 'x', role: 'admin' as const }, ForbiddenError],
    [
      'an editor minting for team b',
      editorA,
      { name: 'x', role: 'viewer' as const, team: 'b' },
      ForbiddenError,
    ],
    ['a viewer minting a viewer', viewerA, { name: 'x', role: 'viewer' as const }, ForbiddenError],
    ['an admin minting a teamless editor', admin, { name: 'x', role: 'editor' as const }, InputError],
    [
      'anyone taking the bootstrap name',
      admin,
      { name: 'bootstrap-admin', role: 'admin' as const },
      InputError,
    ],
  ])('refuses %s', async (_what, who, input, error) => {
    const { store, service } = tokenSetup();
    await expect(service.mint(input, who)).rejects.toBeInstanceOf(error);
    expect(store.rows.size).toBe(0);
  });

  it("gives an editor's token the editor's team, and lets it revoke only what it can see", async () => {
    const { service } = tokenSetup();
    const own = await service.mint({ name: 'v', role: 'viewer' }, editorA);
    expect(own.team).toBe('a');
    const other = await service.mint({ name: 'w', role: 'viewer', team: 'b' }, admin);
    const boss = await service.mint({ name: 'boss', role: 'admin', team: 'a' }, admin);
    await expect(service.revoke(other.id, editorA)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.revoke(boss.id, editorA)).rejects.toBeInstanceOf(NotFoundError);
    await service.revoke(own.id, editorA);
    await service.revoke(own.id, editorA); // again: a no-op
    const listed = await service.list({ limit: 50, includeRevoked: true }, editorA);
    expect(listed.items.map((t) => t.name)).toEqual(['v']);
    await expect(service.list({ limit: 50, includeRevoked: false }, viewerA)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });
});

describe('access rules', () => {
  const p = (team: string | null) => ({ team }) as Pipeline;
  it('admins see everything; others only their own team, never team-less pipelines', () => {
    expect([p('a'), p('b'), p(null)].map((x) => canSeePipeline(admin, x))).toEqual([true, true, true]);
    expect([p('a'), p('b'), p(null)].map((x) => canSeePipeline(viewerA, x))).toEqual([true, false, false]);
    expect(canSeeToken(editorA, { team: 'a', role: 'admin' } as ApiToken)).toBe(false);
  });

  it('decides the team of a new pipeline', () => {
    expect(teamForNewPipeline(editorA, undefined)).toBe('a');
    expect(teamForNewPipeline(editorA, 'a')).toBe('a');
    expect(() => teamForNewPipeline(editorA, 'b')).toThrow(ForbiddenError);
    expect(() => teamForNewPipeline(viewerA, undefined)).toThrow(ForbiddenError);
    expect(teamForNewPipeline(admin, 'b')).toBe('b');
    expect(teamForNewPipeline(actor('admin', 'ops'), undefined)).toBe('ops');
    expect(teamForNewToken(admin, 'admin', undefined)).toBeNull();
  });

  it('pipeline service: 404 for another team, 403 for a viewer that can see it, lists filtered', async () => {
    const faults = new Faults();
    const store = new FakeStore(faults);
    const indices = new FakeIndices(faults);
    indices.indices.set('logs', {});
    const service = createPipelineService({
      store,
      topics: new FakeTopics(faults),
      indices,
      tasks: new FakeTasks(),
      logger: testLogger(),
      defaults: { partitions: 1, replicationFactor: 1 },
      observed: OBSERVED_SETTINGS,
    });
    const pa = await service.createPipeline({ name: 'pa', index: 'logs' }, editorA);
    const pb = await service.createPipeline({ name: 'pb', index: 'logs', team: 'b' }, admin);
    expect(pa).toMatchObject({ team: 'a', createdBy: 'editor-a' });
    await expect(service.getPipeline(pb.id, editorA)).rejects.toMatchObject({ code: 'pipeline_not_found' });
    await expect(service.updatePipelineStatus(pb.id, 'stopped', { actor: editorA })).rejects.toMatchObject({
      code: 'pipeline_not_found',
    });
    await expect(service.updatePipelineStatus(pa.id, 'stopped', { actor: viewerA })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(service.deletePipeline(pa.id, { actor: viewerA, force: true })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect((await service.listPipelines({ limit: 10 }, viewerA)).items.map((x) => x.name)).toEqual(['pa']);
    expect((await service.listPipelines({ limit: 10, team: 'b' }, viewerA)).items).toEqual([]);
    // Both may be created in the same millisecond; the list's tie-break (id) is random here.
    expect((await service.listPipelines({ limit: 10 }, admin)).items.map((x) => x.name).sort()).toEqual([
      'pa',
      'pb',
    ]);
    await service.updatePipelineStatus(pa.id, 'stopped', { actor: editorA });
    await service.deletePipeline(pa.id, { actor: editorA, force: false });
    expect(store.audits.map((a) => [a.draft.action, a.draft.actor.user, a.before, a.after])).toEqual([
      ['pipeline.create', 'editor-a', null, 1],
      ['pipeline.create', 'root', null, 1],
      ['pipeline.status', 'editor-a', 1, 2],
      ['pipeline.delete', 'editor-a', 3, null],
    ]);
  });
});

describe('token bucket', () => {
  it('allows a burst, then the rate, per key, and says when to come back', () => {
    const clock = { t: 0 };
    const limiter = createTokenBucketLimiter({ ratePerSec: 2, burst: 3, nowSec: () => clock.t });
    expect([1, 2, 3, 4].map(() => limiter.take('a').ok)).toEqual([true, true, true, false]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSec: 1 });
    expect(limiter.take('b').ok).toBe(true);
    clock.t += 0.5;
    expect([limiter.take('a').ok, limiter.take('a').ok]).toEqual([true, false]);
    clock.t += 100;
    expect([1, 2, 3, 4].map(() => limiter.take('a').ok)).toEqual([true, true, true, false]);
  });
});

import { ForbiddenError } from '../../server/common/errors';
import { ROUTES } from '../../server/pipeline-mgmt/driveradapters/routes';
import { ROLES, type Actor, type Role } from '../../server/pipeline-mgmt/interfaces/actor';
import type { AuditReader } from '../../server/pipeline-mgmt/interfaces/auditLog';
import { createAuditService } from '../../server/pipeline-mgmt/logics/auditService';
import { createPipelineService } from '../../server/pipeline-mgmt/logics/pipelineService';
import { createErrorBrowser } from '../../server/pipeline-mgmt/logics/errorBrowser';
import { createOffsetService } from '../../server/pipeline-mgmt/logics/offsetService';
import { createReplayService } from '../../server/pipeline-mgmt/logics/replayService';
import { createTokenService } from '../../server/pipeline-mgmt/logics/tokenService';
import { createSimulateService } from '../../server/pipeline-mgmt/logics/simulateService';
import { createVersionService } from '../../server/pipeline-mgmt/logics/versionService';
import { testLogger } from '../helpers';
import {
  FakeIndices,
  FakeReplayRecords,
  FakeStore,
  FakeTasks,
  FakeTokenStore,
  FakeTopics,
  Faults,
  OBSERVED_SETTINGS,
} from '../helpers/mgmt-fakes';

/**
 * The route table's `access` is checked first (a cheap 403); the logic's `requireRole` stays the
 * authority. This keeps the two in step: for every route, a caller one role below the route's
 * access is refused by the logic itself, and a caller with exactly that role is not.
 */

const TEAM = 'a';
const as = (role: Role): Actor => ({ user: `${role}-${TEAM}`, role, team: TEAM, tokenId: null });
const root: Actor = { user: 'root', role: 'admin', team: null, tokenId: null };
const TOKEN_ID = '00000000-0000-4000-8000-00000000beef';
const REPLAY_ID = '00000000-0000-4000-8000-0000000000aa';

async function setup() {
  const faults = new Faults();
  const indices = new FakeIndices(faults);
  indices.indices.set('logs', {});
  const store = new FakeStore(faults);
  const pipelines = createPipelineService({
    store,
    topics: new FakeTopics(faults),
    indices,
    tasks: new FakeTasks(),
    logger: testLogger(),
    defaults: { partitions: 1, replicationFactor: 1 },
    observed: OBSERVED_SETTINGS,
  });
  const tokenStore = new FakeTokenStore();
  const tokens = createTokenService({ store: tokenStore, logger: testLogger() });
  const reader: AuditReader = { list: async () => ({ items: [] }) };
  const audit = createAuditService({ reader });
  const offsets = createOffsetService({
    pipelines,
    offsets: {
      describe: async () => [{ partition: 0, committed: '5', logStart: '0', logEnd: '10' }],
      logBounds: async () => [{ partition: 0, logStart: '0', logEnd: '10' }],
      activeMembers: async () => 0,
      commit: async () => undefined,
      offsetsAt: async () => [{ partition: 0, offset: '3' }],
    },
    audit: { record: async () => undefined },
  });
  const errors = createErrorBrowser({
    pipelines,
    offsets: { logBounds: async () => [], offsetsAt: async () => [] },
    reader: { read: async () => ({ records: [], finished: [] }) },
    settings: { scanBudget: 100, readTimeoutMs: 100 },
  });
  // Something of team `a` to act on, so what is tested is the role, not visibility (stopped, so
  // that its offsets may be moved).
  const p = await pipelines.createPipeline({ name: 'p', index: 'logs', team: TEAM, status: 'stopped' }, root);
  await tokenStore.insert(
    {
      id: TOKEN_ID,
      name: 'v',
      role: 'viewer',
      team: TEAM,
      createdBy: 'root',
      createdAt: new Date().toISOString(),
      revokedAt: null,
      revokedBy: null,
    },
    'hash',
    {
      action: 'token.create',
      actor: root,
      target: { type: 'token', id: TOKEN_ID, name: 'v' },
      team: TEAM,
      details: {},
    },
  );
  const versions = createVersionService({ pipelines, store });
  // Every document accepted: what is tested here is who may simulate, not the mapping.
  const simulate = createSimulateService({
    pipelines,
    mappings: { check: async (docs) => docs.map(() => ({ accepted: true as const })) },
  });
  const replays = createReplayService({
    pipelines,
    offsets: {
      logBounds: async () => [{ partition: 0, logStart: '0', logEnd: '10' }],
      offsetsAt: async () => [],
    },
    records: new FakeReplayRecords(),
    audit: { record: async () => undefined },
    newId: () => REPLAY_ID,
  });
  await replays.create(p.id, { filter: {}, dryRun: false }, root);
  return { pipelines, tokens, audit, offsets, errors, versions, simulate, replays, pipelineId: p.id };
}

type Services = Awaited<ReturnType<typeof setup>>;
type Call = (s: Services, actor: Actor) => Promise<unknown>;

/** The service call each authenticated route makes (as the router makes it). */
const CALLS: Record<string, Call> = {
  createPipeline: (s, actor) => s.pipelines.createPipeline({ name: 'q', index: 'logs' }, actor),
  listPipelines: (s, actor) => s.pipelines.listPipelineViews({ limit: 10 }, actor),
  getPipeline: (s, actor) => s.pipelines.getPipelineView(s.pipelineId, actor),
  replacePipeline: (s, actor) =>
    s.pipelines.replacePipeline(s.pipelineId, { index: 'logs', description: 'x' }, {}, { actor }),
  patchPipeline: (s, actor) => s.pipelines.patchPipeline(s.pipelineId, { description: 'y' }, {}, { actor }),
  deletePipeline: (s, actor) => s.pipelines.deletePipeline(s.pipelineId, { actor, force: true }),
  updatePipelineStatus: (s, actor) => s.pipelines.updatePipelineStatus(s.pipelineId, 'stopped', { actor }),
  listTasks: (s, actor) => s.pipelines.listTasks(s.pipelineId, actor),
  ingestRecords: (s, actor) => s.pipelines.pipelineForIngest(s.pipelineId, actor),
  getOffsets: (s, actor) => s.offsets.get(s.pipelineId, actor),
  listErrors: (s, actor) => s.errors.list(s.pipelineId, { limit: 10 }, actor),
  listVersions: (s, actor) => s.versions.list(s.pipelineId, { limit: 10 }, actor),
  getVersion: (s, actor) => s.versions.get(s.pipelineId, 1, actor),
  diffVersions: (s, actor) => s.versions.diff(s.pipelineId, 1, 1, actor),
  rollbackVersion: (s, actor) => s.versions.rollback(s.pipelineId, 1, actor),
  simulatePipeline: (s, actor) => s.simulate.simulate(s.pipelineId, [{ a: 1 }], {}, actor),
  simulateNew: (s, actor) => s.simulate.simulateNew({ index: 'logs' }, [{ a: 1 }], actor),
  moveOffsets: (s, actor) => s.offsets.move(s.pipelineId, { kind: 'earliest' }, actor),
  createReplay: (s, actor) => s.replays.create(s.pipelineId, { filter: {}, dryRun: true }, actor),
  listReplays: (s, actor) => s.replays.list(s.pipelineId, { limit: 10 }, actor),
  getReplay: (s, actor) => s.replays.get(s.pipelineId, REPLAY_ID, actor),
  cancelReplay: (s, actor) => s.replays.cancel(s.pipelineId, REPLAY_ID, actor),
  createToken: (s, actor) => s.tokens.mint({ name: 'new', role: 'viewer' }, actor),
  listTokens: (s, actor) => s.tokens.list({ limit: 10, includeRevoked: false }, actor),
  revokeToken: (s, actor) => s.tokens.revoke(TOKEN_ID, actor),
  listAudit: (s, actor) => s.audit.list({ limit: 10 }, actor),
};

const authenticated = Object.entries(ROUTES).filter(([, spec]) => spec.access !== 'public');

/** What a call ends in: `ok`, `forbidden`, or the name of another error. */
async function outcome(call: Call, actor: Actor): Promise<string> {
  try {
    await call(await setup(), actor);
    return 'ok';
  } catch (e: unknown) {
    return e instanceof ForbiddenError ? 'forbidden' : String((e as Error).name);
  }
}

describe("each route's access matches what the logic requires", () => {
  it('every authenticated route has a call here', () => {
    expect(Object.keys(CALLS).sort()).toEqual(authenticated.map(([id]) => id).sort());
  });

  it('ingest: producers, editors and admins may post records; viewers may not', async () => {
    const call = CALLS.ingestRecords as Call;
    expect(ROUTES.ingestRecords.access).toBe('ingest');
    expect(await outcome(call, as('viewer'))).toBe('forbidden');
    for (const role of ['producer', 'editor', 'admin'] as const)
      expect(await outcome(call, as(role))).toBe('ok');
  });

  it('producers read nothing: every viewer route refuses them in the logic', async () => {
    for (const [id] of authenticated.filter(([, s]) => s.access === 'viewer'))
      expect([id, await outcome(CALLS[id] as Call, as('producer'))]).toEqual([id, 'forbidden']);
  });

  const ranked = authenticated.filter(([, spec]) => spec.access !== 'ingest');
  it.each(ranked.map(([id, spec]) => [id, spec.access as Role]))(
    '%s (%s): the logic refuses the role below and allows that role',
    async (id, least) => {
      const call = CALLS[id] as Call;
      const below = ROLES[ROLES.indexOf(least) - 1];
      if (below !== undefined) expect(await outcome(call, as(below))).toBe('forbidden');
      expect(await outcome(call, as(least))).toBe('ok');
    },
  );
});

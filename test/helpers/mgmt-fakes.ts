import { buildConfig } from '../../server/common/config/load';
import type { Pipeline } from '../../server/common/pipelines';
import { type Replay, ZERO_COUNTERS } from '../../server/common/replays';
import type { NewReplay, ReplayRecords } from '../../server/pipeline-mgmt/interfaces/replayStore';
import type { ObservedSettings } from '../../server/pipeline-mgmt/interfaces/observed';
import { observedSettingsOf } from '../../server/pipeline-mgmt/main';
import type { AuditDraft } from '../../server/pipeline-mgmt/interfaces/auditLog';
import type { IndexAdmin, IndexDefinition } from '../../server/pipeline-mgmt/interfaces/indexAdmin';
import type {
  ListQuery,
  PipelineChange,
  PipelineVersion,
  PipelineStore,
  StoredPipeline,
} from '../../server/pipeline-mgmt/interfaces/pipelineStore';
import type { TaskStatus, TaskStatusReader } from '../../server/pipeline-mgmt/interfaces/taskStatusReader';
import type { TopicAdmin } from '../../server/pipeline-mgmt/interfaces/topicAdmin';
import type { ApiToken, TokenListQuery, TokenStore } from '../../server/pipeline-mgmt/interfaces/tokenStore';

/** The observed-status thresholds of the config's defaults (as main.ts maps them). */
export const OBSERVED_SETTINGS: ObservedSettings = observedSettingsOf(buildConfig({}, {}).server);

/** Makes the named call of a fake fail (or run a hook) on its n-th use. */
export class Faults {
  private counts = new Map<string, number>();
  private rules = new Map<string, { onCall: number; error: unknown }>();
  readonly calls: string[] = [];

  failOn(call: string, onCall: number, error: unknown): void {
    this.rules.set(call, { onCall, error });
  }

  hit(call: string, detail = ''): void {
    this.calls.push(detail ? `${call} ${detail}` : call);
    const n = (this.counts.get(call) ?? 0) + 1;
    this.counts.set(call, n);
    const rule = this.rules.get(call);
    if (rule && rule.onCall === n) throw rule.error;
  }
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** An audit draft as a store wrote it, with the versions it filled in. */
export interface WrittenAudit {
  draft: AuditDraft;
  before: number | null;
  after: number | null;
}

export class FakeStore implements PipelineStore {
  readonly rows = new Map<string, StoredPipeline>();
  readonly audits: WrittenAudit[] = [];
  readonly versions: PipelineVersion[] = [];
  /** Runs before each update's compare-and-set (e.g. to simulate a concurrent writer). */
  beforeUpdate: ((id: string) => void) | undefined;

  constructor(private readonly faults: Faults) {}

  async reserve(record: Pipeline, { indexCreated }: { indexCreated: boolean }) {
    this.faults.hit('store.reserve', record.name);
    const taken = [...this.rows.values()].find((r) => r.pipeline.name === record.name);
    if (taken) return { result: 'taken' as const, existing: clone(taken) };
    this.rows.set(record.id, {
      pipeline: clone({ ...record, status: 'stopped' }),
      lifecycle: 'creating',
      indexCreated,
    });
    return { result: 'reserved' as const };
  }

  async markIndexCreated(id: string) {
    this.faults.hit('store.markIndexCreated');
    const row = this.rows.get(id);
    if (row) row.indexCreated = true;
  }

  async activate(id: string, status: Pipeline['status'], at: Date, audit: AuditDraft) {
    this.faults.hit('store.activate');
    const row = this.rows.get(id);
    if (!row || row.lifecycle !== 'creating') return { result: 'taken_over' as const };
    row.lifecycle = 'ready';
    row.pipeline.status = status;
    row.pipeline.updatedAt = at.toISOString();
    this.audits.push({ draft: audit, before: null, after: row.pipeline.version });
    this.keepVersion(row.pipeline, audit, at);
    return { result: 'activated' as const, pipeline: clone(row.pipeline) };
  }

  async removeReservation(id: string) {
    this.faults.hit('store.removeReservation');
    if (this.rows.get(id)?.lifecycle === 'creating') this.rows.delete(id);
  }

  async get(id: string) {
    this.faults.hit('store.get');
    const row = this.rows.get(id);
    return row ? clone(row) : undefined;
  }

  async getByName(name: string) {
    const row = [...this.rows.values()].find((r) => r.pipeline.name === name);
    return row ? clone(row) : undefined;
  }

  async list(query: ListQuery) {
    const all = [...this.rows.values()]
      .filter((r) => r.lifecycle !== 'creating')
      .map((r) => r.pipeline)
      .filter((p) => query.team === undefined || p.team === query.team)
      .filter((p) => !query.status || p.status === query.status)
      .filter((p) => !query.namePrefix || p.name.startsWith(query.namePrefix))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
      .filter(
        (p) => !query.after || [p.createdAt, p.id].join() > [query.after.createdAt, query.after.id].join(),
      );
    const items = all.slice(0, query.limit).map(clone);
    const last = items[items.length - 1];
    return all.length > query.limit && last
      ? { items, next: { createdAt: last.createdAt, id: last.id } }
      : { items };
  }

  async update(id: string, expectedVersion: number, change: PipelineChange) {
    this.faults.hit('store.update');
    this.beforeUpdate?.(id);
    const row = this.rows.get(id);
    if (!row) return { result: 'gone' as const };
    if (row.pipeline.version !== expectedVersion) return { result: 'stale' as const };
    const p = row.pipeline;
    Object.assign(p, change.fields ?? {});
    if (change.status) p.status = change.status;
    if (change.lifecycle) row.lifecycle = change.lifecycle;
    p.version += 1;
    p.updatedBy = change.updatedBy;
    p.updatedAt = change.updatedAt.toISOString();
    if (change.audit) {
      this.audits.push({ draft: change.audit, before: expectedVersion, after: p.version });
      this.keepVersion(p, change.audit, change.updatedAt);
    }
    return { result: 'updated' as const, pipeline: clone(p) };
  }

  private keepVersion(p: Pipeline, audit: AuditDraft, at: Date) {
    this.versions.push({
      version: p.version,
      at: at.toISOString(),
      by: audit.actor.user,
      action: audit.action,
      pipeline: clone(p),
    });
  }

  async listVersions(id: string, query: { limit: number; before?: number }) {
    const all = this.versions
      .filter((v) => v.pipeline.id === id && (query.before === undefined || v.version < query.before))
      .sort((a, b) => b.version - a.version);
    const items = all.slice(0, query.limit).map(clone);
    return { items, next: all.length > query.limit ? items[items.length - 1]?.version : undefined };
  }

  async getVersion(id: string, version: number) {
    const v = this.versions.find((x) => x.pipeline.id === id && x.version === version);
    return v ? clone(v) : undefined;
  }

  async remove(id: string, audit: AuditDraft) {
    this.faults.hit('store.remove');
    const row = this.rows.get(id);
    if (row) this.audits.push({ draft: audit, before: row.pipeline.version, after: null });
    this.rows.delete(id);
  }
}

export class FakeTopics implements TopicAdmin {
  readonly topics = new Map<string, number>();
  readonly groups = new Map<string, 'empty' | 'busy'>();
  /** A busy group becomes empty after this many delete attempts (Infinity = never). */
  busyFor = 0;
  private busyTries = 0;

  constructor(private readonly faults: Faults) {}

  async createTopic({ name, partitions }: { name: string; partitions: number }) {
    this.faults.hit('topics.create', name);
    if (this.topics.has(name)) return 'exists' as const;
    this.topics.set(name, partitions);
    return 'created' as const;
  }

  async deleteTopics(names: string[]) {
    this.faults.hit('topics.delete', names.join(','));
    const present = names.filter((n) => this.topics.has(n));
    for (const n of present) this.topics.delete(n);
    return present;
  }

  async deleteConsumerGroup(groupId: string) {
    this.faults.hit('topics.deleteGroup', groupId);
    const g = this.groups.get(groupId);
    if (!g) return 'not_found' as const;
    if (g === 'busy' && this.busyTries++ < this.busyFor) return 'not_empty' as const;
    this.groups.delete(groupId);
    return 'deleted' as const;
  }
}

export class FakeIndices implements IndexAdmin {
  readonly indices = new Map<string, IndexDefinition>();

  constructor(private readonly faults: Faults) {}

  async exists(index: string) {
    this.faults.hit('indices.exists', index);
    return this.indices.has(index);
  }

  async create(index: string, definition: IndexDefinition) {
    this.faults.hit('indices.create', index);
    if (this.indices.has(index)) return 'exists' as const;
    this.indices.set(index, definition);
    return 'created' as const;
  }

  async delete(index: string) {
    this.faults.hit('indices.delete', index);
    this.indices.delete(index);
  }

  readonly templates = new Map<string, { patterns: string[]; definition: IndexDefinition }>();

  async putTemplate(name: string, patterns: string[], definition: IndexDefinition) {
    this.faults.hit('indices.putTemplate', name);
    this.templates.set(name, { patterns, definition });
  }

  async deleteTemplate(name: string) {
    this.faults.hit('indices.deleteTemplate', name);
    this.templates.delete(name);
  }
}

export class FakeTasks implements TaskStatusReader {
  readonly byPipeline = new Map<string, TaskStatus[]>();
  async listForPipeline(id: string) {
    return this.byPipeline.get(id) ?? [];
  }
  async listForPipelines(ids: string[]) {
    return new Map(ids.filter((id) => this.byPipeline.has(id)).map((id) => [id, this.byPipeline.get(id)!]));
  }
}

export class FakeTokenStore implements TokenStore {
  readonly rows = new Map<string, { token: ApiToken; hash: string }>();
  readonly audits: AuditDraft[] = [];
  async insert(token: ApiToken, hash: string, audit: AuditDraft) {
    const live = [...this.rows.values()].some((r) => r.token.name === token.name && !r.token.revokedAt);
    if (live) return 'name_taken' as const;
    this.rows.set(token.id, { token: { ...token }, hash });
    this.audits.push(audit);
    return 'created' as const;
  }
  async findForAuth(id: string) {
    return this.rows.get(id);
  }
  async get(id: string) {
    return this.rows.get(id)?.token;
  }
  async list(q: TokenListQuery) {
    const items = [...this.rows.values()]
      .map((r) => r.token)
      .filter((t) => q.includeRevoked || !t.revokedAt)
      .filter((t) => q.team === undefined || t.team === q.team)
      .filter((t) => q.roles === undefined || q.roles.includes(t.role));
    return { items: items.slice(0, q.limit) };
  }
  async revoke(id: string, by: string, at: Date, audit: AuditDraft) {
    const row = this.rows.get(id);
    if (!row) return 'gone' as const;
    if (row.token.revokedAt) return 'already' as const;
    row.token.revokedAt = at.toISOString();
    row.token.revokedBy = by;
    this.audits.push(audit);
    return 'revoked' as const;
  }
}

/** `pipeline_replays` in memory (what pipeline-mgmt reads and writes of it). */
export class FakeReplayRecords implements ReplayRecords {
  readonly rows = new Map<string, Replay>();
  async insert(r: NewReplay): Promise<Replay> {
    const replay: Replay = {
      id: r.id,
      pipelineId: r.pipelineId,
      status: 'running',
      filter: r.filter,
      options: r.options,
      startOffsets: r.startOffsets,
      endOffsets: r.endOffsets,
      positions: {},
      counters: { ...ZERO_COUNTERS },
      report: null,
      ownerWorker: null,
      heartbeatAt: null,
      claims: 0,
      reason: null,
      createdBy: r.createdBy,
      createdAt: r.createdAt.toISOString(),
      endedAt: null,
    };
    this.rows.set(r.id, replay);
    return { ...replay };
  }
  async get(pipelineId: string, id: string): Promise<Replay | null> {
    const r = this.rows.get(id);
    return r && r.pipelineId === pipelineId ? { ...r } : null;
  }
  async list(pipelineId: string, q: { limit: number; status?: Replay['status'] }) {
    const items = [...this.rows.values()].filter(
      (r) => r.pipelineId === pipelineId && (q.status === undefined || r.status === q.status),
    );
    return { items: items.slice(0, q.limit) };
  }
  async cancel(pipelineId: string, id: string, reason: string, at: Date): Promise<boolean> {
    const r = this.rows.get(id);
    if (!r || r.pipelineId !== pipelineId || r.status !== 'running') return false;
    this.rows.set(id, { ...r, status: 'cancelled', reason, endedAt: at.toISOString() });
    return true;
  }
}

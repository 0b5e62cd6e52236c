import type { Actor } from './actor';
import type { ProducedRecord } from './recordProducer';
import type { RecordOutcome } from './recordResults';

/** One record's answer in a `wait=indexed` reply. */
export type WaitOutcome = RecordOutcome | { status: 'pending' };

export interface IngestRequest {
  pipelineId: string;
  actor: Actor;
  records: readonly ProducedRecord[];
  /** Wait until every record is indexed or failed, at most this long (ms). */
  waitMs?: number;
  /** Aborted when the caller goes away: its wait ends and frees its entries. */
  signal?: AbortSignal;
}

export type IngestReply =
  | { kind: 'accepted'; accepted: number; topic: string }
  | { kind: 'results'; complete: boolean; results: WaitOutcome[] };

/** What ingest counts (pipeline-mgmt's /metrics implements it). */
export interface IngestObserver {
  accepted(records: number): void;
  rejected(reason: string, records: number): void;
  /** Outcomes of waited-for records when their reply went out. */
  answered(outcomes: readonly WaitOutcome[]): void;
}

/** HTTP ingest: records appended to a pipeline's input topic, optionally waiting for their results. */
export interface IngestService {
  ingest(request: IngestRequest): Promise<IngestReply>;
  /** Records callers wait for right now, over all pipelines. */
  pendingRecords(): number;
  /** Answers every waiting caller with what it has (the rest `pending`) and closes the feeds. */
  close(): Promise<void>;
}

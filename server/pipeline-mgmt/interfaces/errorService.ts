import type { Actor } from './actor';

export interface ErrorQuery {
  limit: number;
  cursor?: string;
  /** Only records refused at this stage (`parse`, `validate`, `index`, ...). */
  stage?: string;
  /** Only this failure class (the parser's class or OpenSearch's error type). */
  reason?: string;
  since?: Date;
  until?: Date;
}

/** One failed record: the worker's envelope as stored, and where it sits in the error topic. */
export interface ErrorItem {
  partition: number;
  offset: string;
  /** When it was written to the error topic. */
  timestamp: string;
  /** The error envelope (stage, errorType, reason, source, attempts, value, ...). */
  envelope: Record<string, unknown> | null;
}

export interface ErrorPage {
  items: ErrorItem[];
  /** Records looked at for this page (the scan is bounded; a short page may have more behind it). */
  scanned: number;
  nextCursor: string | null;
}

/** Reading a pipeline's error topic, newest first. */
export interface ErrorService {
  list(pipelineId: string, query: ErrorQuery, actor: Actor): Promise<ErrorPage>;
}

import { SdpError } from '../../common/errors';

/** One `index` action of a bulk request. */
export interface BulkAction {
  index: string;
  id: string;
  /** The document, one line of JSON: UTF-8 bytes (as received from Kafka) or text. */
  source: Buffer | string;
}

/** The response item of one action, zipped with that action. */
export interface BulkItemResult<A extends BulkAction = BulkAction> {
  action: A;
  status: number | undefined;
  error?: { type: string; reason: string };
}

/** A bulk request failed as a whole. `status` is the HTTP status when there was a response. */
export class BulkRequestError extends SdpError {
  readonly status: number | undefined;
  /** OpenSearch's error type for the request, when the response said. */
  readonly errorType: string | undefined;
  constructor(
    message: string,
    options: { status?: number; errorType?: string; cause?: unknown; retriable?: boolean },
  ) {
    super(message, {
      code: 'bulk_request_failed',
      retriable: options.retriable ?? true,
      cause: options.cause,
    });
    this.status = options.status;
    this.errorType = options.errorType;
  }
}

/** Sends one bulk request to OpenSearch (no retries of its own). */
export interface BulkIndexer {
  /**
   * Resolves with one result per action, in the actions' order (the response's items zipped with the
   * actions); rejects with BulkRequestError when the request as a whole failed, or with AbortedError.
   */
  bulk<A extends BulkAction>(actions: A[], signal?: AbortSignal): Promise<BulkItemResult<A>[]>;
}

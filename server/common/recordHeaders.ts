/**
 * Kafka headers the worker sets on the records it writes to a pipeline's output and error topics:
 * where the input record was (topic, partition, offset) and what became of it. They are a contract:
 * pipeline-mgmt's ingest matches waiting callers to results by them, and users' consumers read them.
 */
export const RECORD_HEADERS = {
  srcTopic: 'sdp-src-topic',
  srcPartition: 'sdp-src-partition',
  srcOffset: 'sdp-src-offset',
  /** Error topic: the stage that refused the record (`parse`, `validate`, `index`, ...). */
  stage: 'sdp-stage',
  /** Error topic: the failure's stable class. */
  errorType: 'sdp-error-type',
  /** Error topic: set to `true` when the original value was cut. */
  truncated: 'sdp-truncated',
  /** Output topic: the index the document went to. */
  index: 'sdp-index',
  /** Output topic: the document `_id`. */
  id: 'sdp-id',
} as const;

import { classifyItem, classifyRequestFailure } from '../../server/pipeline-worker/logics/bulkClassify';

describe('bulk response classification', () => {
  it.each([
    [201, undefined, 'ok'],
    [200, undefined, 'ok'],
    [409, 'version_conflict_engine_exception', 'ok'],
    [400, 'mapper_parsing_exception', 'permanent'],
    [400, 'document_parsing_exception', 'permanent'],
    [400, 'strict_dynamic_mapping_exception', 'permanent'],
    [400, 'illegal_argument_exception', 'permanent'],
    [429, 'es_rejected_execution_exception', 'retry'],
    [429, 'cluster_block_exception', 'retry'],
    [403, 'cluster_block_exception', 'retry'],
    [404, 'index_not_found_exception', 'retry'],
    [500, 'internal_server_error', 'retry'],
    [503, 'unavailable_shards_exception', 'retry'],
    [undefined, undefined, 'retry'],
  ] as const)('item %s %s -> %s', (status, type, verdict) => {
    expect(classifyItem(status, type)).toBe(verdict);
  });

  it.each([
    [undefined, 'retry'], // refused, reset, timeout
    [429, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [504, 'retry'],
    [403, 'retry'],
    [413, 'split'],
    [400, 'split'],
  ] as const)('request failure %s -> %s', (status, verdict) => {
    expect(classifyRequestFailure(status)).toBe(verdict);
  });
});

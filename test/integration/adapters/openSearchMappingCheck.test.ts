import type { Client } from '@opensearch-project/opensearch';
import { createOpenSearchMappingCheck } from '../../../server/pipeline-mgmt/drivenadapters/openSearchMappingCheck';
import { randomResourceName, testOpenSearch } from '../../helpers/adapter-env';

// createOpenSearchMappingCheck on the real OpenSearch: documents tried against an index's mapping (or
// a template's, for an index that does not exist yet) without the index being written.
describe('OpenSearchMappingCheck', () => {
  let os: Client;
  const indices: string[] = [];
  const templates: string[] = [];

  beforeAll(() => {
    os = testOpenSearch();
  });
  afterAll(async () => {
    for (const index of indices) await os.indices.delete({ index }).catch(() => undefined);
    for (const name of templates) await os.indices.deleteIndexTemplate({ name }).catch(() => undefined);
    await os.close();
  });

  const scratchIndices = async () =>
    Object.keys((await os.indices.get({ index: 'sdp-simulate-*', expand_wildcards: 'all' })).body);

  it("refuses what the target's mapping refuses, accepts the rest, and writes nothing to the target", async () => {
    const index = randomResourceName('mapcheck');
    indices.push(index);
    await os.indices.create({
      index,
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: { dynamic: 'strict', properties: { n: { type: 'integer' }, name: { type: 'keyword' } } },
      },
    });
    const check = createOpenSearchMappingCheck({ client: os });
    const outcomes = await check.check([
      { index, id: 'a', source: '{"n":1,"name":"x"}' },
      { index, id: 'b', source: '{"n":"not a number"}' },
      { index, id: 'c', source: '{"other":true}' },
    ]);
    expect(outcomes).toEqual([
      { accepted: true },
      { accepted: false, errorType: 'mapper_parsing_exception', reason: expect.stringContaining('[n]') },
      {
        accepted: false,
        errorType: 'strict_dynamic_mapping_exception',
        reason: expect.stringContaining('other'),
      },
    ]);
    await os.indices.refresh({ index });
    expect(Number((await os.count({ index })).body.count)).toBe(0);
    expect(await scratchIndices()).toEqual([]);
  });

  it('uses the mappings an index template would give an index that does not exist yet', async () => {
    const prefix = randomResourceName('mapcheck-tpl');
    templates.push(prefix);
    await os.indices.putIndexTemplate({
      name: prefix,
      body: {
        index_patterns: [`${prefix}-*`],
        template: { mappings: { properties: { n: { type: 'integer' } } } },
      },
    });
    const index = `${prefix}-2026.12.02`;
    const outcomes = await createOpenSearchMappingCheck({ client: os }).check([
      { index, id: 'a', source: '{"n":"x"}' },
      { index, id: 'b', source: '{"n":2}' },
    ]);
    expect(outcomes).toEqual([
      { accepted: false, errorType: 'mapper_parsing_exception', reason: expect.any(String) },
      { accepted: true },
    ]);
    expect((await os.indices.exists({ index })).body).toBe(false);
  });
});

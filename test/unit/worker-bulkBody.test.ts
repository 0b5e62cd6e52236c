import { bulkBody } from '../../server/pipeline-worker/drivenadapters/openSearchBulkIndexer';

describe('bulk body', () => {
  it('writes an index line and the document line per action, bytes and text alike', () => {
    const body = bulkBody([
      { index: 'logs', id: 'a', source: Buffer.from('{"name":"Zoë 東京"}') },
      { index: 'logs', id: 'b"q', source: '{"n":1}' },
      { index: 'other', id: 'c', source: Buffer.from('{}') },
    ]);
    expect(Buffer.isBuffer(body)).toBe(true);
    expect(body.toString('utf8')).toBe(
      '{"index":{"_index":"logs","_id":"a"}}\n{"name":"Zoë 東京"}\n' +
        '{"index":{"_index":"logs","_id":"b\\"q"}}\n{"n":1}\n' +
        '{"index":{"_index":"other","_id":"c"}}\n{}\n',
    );
  });
});

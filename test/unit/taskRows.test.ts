import {
  lastErrorColumn,
  MAX_TASK_ERROR_CHARS,
  parsePartitionLag,
  parsePartitions,
  partitionLagColumn,
  partitionsColumn,
} from '../../server/common/taskRows';

describe('task row columns (written by workers, read by pipeline-mgmt)', () => {
  it('reads back the partitions a worker writes', () => {
    expect(parsePartitions(partitionsColumn([2, 0, 1]))).toEqual([2, 0, 1]);
    expect(parsePartitions(partitionsColumn([]))).toEqual([]);
  });

  it('reads hand-written partition lists and drops what is not a partition', () => {
    expect(parsePartitions('0, 1,2')).toEqual([0, 1, 2]);
    expect(parsePartitions('3')).toEqual([3]);
    expect(parsePartitions('[1,-1,"x",2.5,4]')).toEqual([1, 4]);
    expect(parsePartitions(null)).toEqual([]);
  });

  it('reads back the partition lag a worker writes, and unknown lag as null', () => {
    const lag = [
      { partition: 0, lag: 12 },
      { partition: 1, lag: 0 },
    ];
    expect(parsePartitionLag(partitionLagColumn(lag))).toEqual(lag);
    expect(partitionLagColumn(null)).toBeNull();
    expect(parsePartitionLag(null)).toBeNull();
  });

  it('reads a malformed partition lag as unknown rather than guessing', () => {
    expect(parsePartitionLag('{')).toBeNull();
    expect(parsePartitionLag('{"partition":0,"lag":1}')).toBeNull();
    expect(parsePartitionLag('[{"partition":0,"lag":"12"}]')).toBeNull();
    expect(parsePartitionLag('[{"partition":0.5,"lag":12}]')).toBeNull();
  });

  it('cuts a long error to what the column holds', () => {
    expect(lastErrorColumn(null)).toBeNull();
    expect(lastErrorColumn('boom')).toBe('boom');
    expect(lastErrorColumn('x'.repeat(MAX_TASK_ERROR_CHARS + 5))).toHaveLength(MAX_TASK_ERROR_CHARS);
  });
});

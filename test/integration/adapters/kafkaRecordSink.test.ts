import type { Kafka } from 'kafkajs';
import {
  platformaticConnection,
  createPlatformaticRecordSink,
} from '../../../server/pipeline-worker/drivenadapters/platformaticRecordSink';
import { DependencyError } from '../../../server/common/errors';
import { AbortedError } from '../../../server/common/retry';
import {
  chunkMessages,
  createKafkaRecordSink,
  MAX_SEND_BYTES,
} from '../../../server/pipeline-worker/drivenadapters/kafkaRecordSink';
import type { RecordSink } from '../../../server/pipeline-worker/interfaces/recordSink';
import type { OutgoingMessage } from '../../../server/pipeline-worker/interfaces/recordSink';
import { isTooLarge } from '../../../server/pipeline-worker/logics/flushExecutor';
import {
  createTopic,
  deleteTopics,
  randomResourceName,
  readTopic,
  testKafka,
  topicSize,
} from '../../helpers/adapter-env';
import { testConfig } from '../../helpers';

/** The two producers behind RecordSink (kafka.producerClient): each must keep the same contract. */
const CLIENTS: Array<[string, (kafka: Kafka, topic: string) => RecordSink]> = [
  ['kafkajs', (kafka, topic) => createKafkaRecordSink({ kafka, topic })],
  [
    '@platformatic/kafka',
    (_kafka, topic) =>
      createPlatformaticRecordSink({ connection: platformaticConnection(testConfig(), 'sink-test'), topic }),
  ],
];

// Each RecordSink on the real broker: what arrives on the topic, chunking under the broker's 1 MiB
// record-batch limit, a message over the topic's max.message.bytes, and close().
describe.each(CLIENTS)('RecordSink through %s', (_client, createSink) => {
  let kafka: Kafka;
  const topics: string[] = [];
  const sinks: RecordSink[] = [];

  /** A fresh one-partition topic (so order is kept), with `configs` as its topic configs. */
  const newTopic = async (configs: Record<string, string> = {}) => {
    const topic = randomResourceName('sink');
    await createTopic(kafka, topic, { configs });
    topics.push(topic);
    return topic;
  };
  const sinkFor = (topic: string) => {
    const sink = createSink(kafka, topic);
    sinks.push(sink);
    return sink;
  };

  beforeAll(() => {
    kafka = testKafka('sink-test');
  });
  afterAll(async () => {
    await Promise.allSettled(sinks.map((s) => s.close()));
    await deleteTopics(kafka, topics);
  });

  it('writes every message with its key, value and headers, in order', async () => {
    const topic = await newTopic();
    const sink = sinkFor(topic);
    const messages: OutgoingMessage[] = [
      { key: Buffer.from('k1'), value: '{"a":1}', headers: { 'sdp-stage': 'index', 'sdp-src-offset': '7' } },
      { key: null, value: 'not json at all', headers: {} },
      {
        key: Buffer.from('k3'),
        value: '{"ü":"日本"}',
        headers: { 'sdp-error-type': 'mapper_parsing_exception' },
      },
    ];

    await sink.send(messages);

    const read = await readTopic(kafka, topic, 3);
    expect(read.map(({ key, value, headers }) => ({ key, value, headers }))).toEqual([
      { key: 'k1', value: '{"a":1}', headers: { 'sdp-stage': 'index', 'sdp-src-offset': '7' } },
      { key: null, value: 'not json at all', headers: {} },
      { key: 'k3', value: '{"ü":"日本"}', headers: { 'sdp-error-type': 'mapper_parsing_exception' } },
    ]);
    expect(await topicSize(kafka, topic)).toBe(3);
  });

  it('sends a batch larger than one produce may carry in chunks, all of it, in order', async () => {
    // The broker's default limit, set explicitly so the control below does not depend on the broker.
    const topic = await newTopic({ 'max.message.bytes': '1048588' });
    const count = 40;
    const value = (i: number) => `${String(i).padStart(4, '0')}${'x'.repeat(50 * 1024)}`;
    const messages: OutgoingMessage[] = Array.from({ length: count }, (_, i) => ({
      key: Buffer.from(String(i)),
      value: value(i),
      headers: { seq: String(i) },
    }));
    const totalBytes = messages.reduce((n, m) => n + m.value.length, 0);
    expect(totalBytes).toBeGreaterThan(2 * MAX_SEND_BYTES);
    expect(chunkMessages(messages).length).toBeGreaterThanOrEqual(3);

    // Control: the same batch in one produce call is refused by the broker.
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    try {
      const oneCall: unknown = await producer.send({ topic, acks: -1, messages }).catch((e) => e);
      expect(isTooLarge(oneCall)).toBe(true);
    } finally {
      await producer.disconnect();
    }
    expect(await topicSize(kafka, topic)).toBe(0);

    await sinkFor(topic).send(messages);

    const read = await readTopic(kafka, topic, count);
    expect(read.map((r) => r.headers.seq)).toEqual(messages.map((m) => m.headers.seq));
    expect(read.every((r, i) => r.value === value(i) && r.key === String(i))).toBe(true);
    expect(await topicSize(kafka, topic)).toBe(count);
  });

  it('two sends at once (two flushes in flight) both arrive in full, each in its order', async () => {
    const topic = await newTopic();
    const sink = sinkFor(topic);
    const batch = (name: string) =>
      Array.from({ length: 300 }, (_, i) => ({
        key: Buffer.from(`${name}-${i}`),
        value: `${name}:${String(i).padStart(3, '0')}:${'v'.repeat(2000)}`,
        headers: {},
      }));

    await Promise.all([sink.send(batch('a')), sink.send(batch('b')), sink.send(batch('c'))]);

    const read = await readTopic(kafka, topic, 900);
    expect(read).toHaveLength(900);
    for (const name of ['a', 'b', 'c']) {
      const values = read.map((r) => r.value).filter((v) => v.startsWith(`${name}:`));
      expect(values).toEqual(batch(name).map((m) => m.value));
    }
    expect(await topicSize(kafka, topic)).toBe(900);
  });

  it("fails a message over the topic's max.message.bytes with an error isTooLarge recognises, and keeps working", async () => {
    const topic = await newTopic({ 'max.message.bytes': '10000' });
    const sink = sinkFor(topic);

    const err: unknown = await sink
      .send([{ key: null, value: 'y'.repeat(20_000), headers: {} }])
      .catch((e) => e);

    expect(err).toBeInstanceOf(DependencyError);
    expect(err).toMatchObject({ message: `produce to ${topic} failed`, retriable: true });
    expect(isTooLarge(err)).toBe(true);
    expect(await topicSize(kafka, topic)).toBe(0);

    await sink.send([{ key: null, value: 'small', headers: {} }]);
    expect((await readTopic(kafka, topic, 1)).map((r) => r.value)).toEqual(['small']);
  });

  it('refuses to send after close(), not retriably, and writes nothing; close() again is harmless', async () => {
    const topic = await newTopic();
    const sink = sinkFor(topic);
    await sink.send([{ key: null, value: 'before', headers: {} }]);

    await sink.close();
    const err: unknown = await sink.send([{ key: null, value: 'after', headers: {} }]).catch((e) => e);

    expect(err).toBeInstanceOf(DependencyError);
    expect(err).toMatchObject({ message: 'sink closed', retriable: false });
    await expect(sink.close()).resolves.toBeUndefined();
    expect(await topicSize(kafka, topic)).toBe(1);
  });

  it('rejects with AbortedError and writes nothing when the signal is already aborted', async () => {
    const topic = await newTopic();
    const ac = new AbortController();
    ac.abort();

    await expect(
      sinkFor(topic).send([{ key: null, value: 'v', headers: {} }], ac.signal),
    ).rejects.toBeInstanceOf(AbortedError);
    expect(await topicSize(kafka, topic)).toBe(0);
  });
});

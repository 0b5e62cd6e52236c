import type { Kafka } from 'kafkajs';
import type { Config } from '../common/config/schema';
import { createKafkaRecordSink } from './drivenadapters/kafkaRecordSink';
import {
  createPlatformaticRecordSink,
  platformaticConnection,
} from './drivenadapters/platformaticRecordSink';
import type { RecordSink } from './interfaces/recordSink';

/** A producer to one topic. */
export type SinkFor = (topic: string) => RecordSink;

/**
 * The error and output topics' producers, with the client `kafka.producerClient` names (the input
 * topic is always consumed with kafkajs): one place, so pipeline tasks and replays produce alike.
 */
export function createSinkFactory({ config, kafka }: { config: Config; kafka: Kafka }): SinkFor {
  const connection =
    config.kafka.producerClient === 'platformatic' ? platformaticConnection(config, 'sdp-worker') : null;
  return (topic) =>
    connection
      ? createPlatformaticRecordSink({ connection, topic })
      : createKafkaRecordSink({ kafka, topic });
}

import type { Admin } from 'kafkajs';
import { DependencyError, describeError, InputError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { retry } from '../../common/retry';
import {
  LEADER_WAIT_BACKOFF,
  TOPIC_DELETE_BACKOFF,
  TOPIC_DELETE_MIN_ATTEMPTS,
  TOPIC_DELETE_POLL_MS,
} from '../defaults';
import type { TopicAdmin } from '../interfaces/topicAdmin';

interface KafkaErrorLike {
  type?: string;
  name?: string;
  message?: string;
  errors?: KafkaErrorLike[];
  groups?: Array<{ errorCode?: number; error?: KafkaErrorLike }>;
}

/** Broker answers that mean the request itself is wrong (400), keyed by kafkajs error type. */
const INPUT_ERRORS: Record<string, string> = {
  INVALID_REPLICATION_FACTOR: 'invalid_replication_factor',
  INVALID_PARTITIONS: 'invalid_partitions',
  INVALID_TOPIC_EXCEPTION: 'invalid_topic',
  POLICY_VIOLATION: 'topic_policy_violation',
  INVALID_CONFIG: 'invalid_topic_config',
};

/** Metadata answers for a topic that is being created. */
const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

class NotReady extends Error {}

const GROUP_ID_NOT_FOUND = 69;
const NON_EMPTY_GROUP = 68;

function inputErrorOf(e: unknown): InputError | undefined {
  const err = e as KafkaErrorLike;
  const all = [err, ...(err?.errors ?? [])];
  for (const x of all) {
    const code = x?.type ? INPUT_ERRORS[x.type] : undefined;
    if (code)
      return new InputError(`Kafka refused the topic: ${x.message ?? x.type}`, { kafka: x.type }, code);
  }
  return undefined;
}

const unavailable = (what: string, e: unknown) =>
  new DependencyError(`Kafka could not ${what}: ${describeError(e)}`, {
    code: 'kafka_unavailable',
    cause: e,
  });

export interface KafkaTopicAdminDeps {
  admin: Admin;
  logger: Logger;
  /** Broker-side timeout of create / delete requests, and how long to wait for a deletion to show (ms). */
  timeoutMs: number;
}

/** Pipeline topics and consumer groups through the kafkajs admin client. */
export function createKafkaTopicAdmin({ admin, logger, timeoutMs }: KafkaTopicAdminDeps): TopicAdmin {
  const log = logger.child({ component: 'kafka-topic-admin' });

  const existingTopics = async (names: string[]) => {
    try {
      const all = new Set(await admin.listTopics());
      return names.filter((n) => all.has(n));
    } catch (e: unknown) {
      throw unavailable('list topics', e);
    }
  };

  /** Until the topic's metadata lists every partition with a leader. */
  const waitForLeaders = async (name: string, partitions: number) => {
    const deadline = Date.now() + timeoutMs;
    try {
      await retry(
        async () => {
          const meta = await admin.fetchTopicMetadata({ topics: [name] });
          const parts = meta.topics.find((t) => t.name === name)?.partitions ?? [];
          if (parts.length < partitions || parts.some((p) => p.leader < 0)) throw new NotReady(name);
        },
        {
          ...LEADER_WAIT_BACKOFF,
          maxAttempts: Infinity,
          isRetriable: (e) =>
            Date.now() < deadline &&
            (e instanceof NotReady || NOT_YET.has(String((e as KafkaErrorLike).type))),
        },
      );
    } catch (e: unknown) {
      throw unavailable(`see leaders of new topic ${name}`, e);
    }
  };

  return {
    createTopic: async ({ name, partitions, replicationFactor }) => {
      let created: boolean;
      try {
        // kafkajs' own waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION, which a broker
        // answers for a moment after creation (seen with concurrent creates): wait here instead.
        created = await admin.createTopics({
          topics: [{ topic: name, numPartitions: partitions, replicationFactor }],
          waitForLeaders: false,
          timeout: timeoutMs,
        });
      } catch (e: unknown) {
        throw inputErrorOf(e) ?? unavailable(`create topic ${name}`, e);
      }
      if (created) await waitForLeaders(name, partitions);
      log.info({ topic: name, partitions, replicationFactor, created }, 'create topic');
      return created ? 'created' : 'exists';
    },

    deleteTopics: async (names) => {
      const present = await existingTopics(names);
      if (present.length === 0) return [];
      try {
        await admin.deleteTopics({ topics: present, timeout: timeoutMs });
      } catch (e: unknown) {
        throw unavailable(`delete topics ${present.join(', ')}`, e);
      }
      // Deletion completes asynchronously; return once the metadata no longer lists them.
      await retry(
        async () => {
          const left = await existingTopics(present);
          if (left.length > 0) throw new Error(`topics still listed: ${left.join(', ')}`);
        },
        {
          ...TOPIC_DELETE_BACKOFF,
          maxAttempts: Math.max(TOPIC_DELETE_MIN_ATTEMPTS, Math.ceil(timeoutMs / TOPIC_DELETE_POLL_MS)),
        },
      ).catch((e: unknown) => {
        throw unavailable('finish deleting topics', e);
      });
      log.info({ topics: present }, 'deleted topics');
      return present;
    },

    deleteConsumerGroup: async (groupId) => {
      try {
        await admin.deleteGroups([groupId]);
        return 'deleted';
      } catch (e: unknown) {
        const code = (e as KafkaErrorLike).groups?.[0]?.errorCode;
        if (code === GROUP_ID_NOT_FOUND) return 'not_found';
        if (code === NON_EMPTY_GROUP) return 'not_empty';
        throw unavailable(`delete consumer group ${groupId}`, e);
      }
    },
  };
}

import { Static, Type } from '@sinclair/typebox';
import { FLUSH_BOUNDS } from '../pipelines';

const Int = (min: number, max: number, description: string, def: number) =>
  Type.Integer({ minimum: min, maximum: max, description, default: def });

/**
 * The whole configuration of sdp. Each key documents its unit and default; the YAML file, the
 * environment overrides and the README all follow this schema.
 */
export const ConfigSchema = Type.Object(
  {
    server: Type.Object(
      {
        httpPort: Int(0, 65535, 'pipeline-mgmt HTTP port', 13012),
        workerPort: Int(0, 65535, "a worker's /health, /ready, /metrics port; 0 picks a free port", 13013),
        flushMiB: Type.Number({
          exclusiveMinimum: 0,
          maximum: FLUSH_BOUNDS.maxMiB,
          description: 'flush a bulk request at this size (MiB)',
          default: 5,
        }),
        flushItems: Int(
          FLUSH_BOUNDS.minItems,
          FLUSH_BOUNDS.maxItems,
          'flush a bulk request at this many records',
          10000,
        ),
        flushIntervalSec: Type.Number({
          exclusiveMinimum: 0,
          maximum: FLUSH_BOUNDS.maxIntervalSec,
          description: 'flush a bulk request after this many seconds',
          default: 3,
        }),
        failureThreshold: Int(
          1,
          1000,
          'consecutive failed flush attempts (no record moved) before a task is marked failed',
          10,
        ),
        retryInitialMs: Int(
          1,
          600_000,
          'first backoff (ms) after a failed flush attempt; it doubles on each failure up to retryMaxMs (10 % jitter)',
          3000,
        ),
        retryMaxMs: Int(
          1,
          600_000,
          'longest backoff (ms) between flush attempts: once a dependency answers again, its task resumes within this',
          20000,
        ),
        watchWorkersIntervalMin: Type.Number({
          exclusiveMinimum: 0,
          maximum: 1440,
          description: 'how often (minutes) the watcher restarts failed tasks',
          default: 5,
        }),
        shutdownTimeoutSec: Int(1, 600, 'bound on a graceful shutdown (seconds)', 30),
        maxBodyKiB: Int(1, 10240, 'largest accepted REST request body (KiB)', 256),
        maxIngestMiB: Int(
          1,
          256,
          'largest body of POST /api/v1/pipelines/{id}/records (MiB), compressed and once decompressed',
          10,
        ),
        maxPendingIngestRecords: Int(
          1,
          10_000_000,
          'records callers of one pipeline-mgmt may wait for at once with wait=indexed; more is a 429',
          100_000,
        ),
        metricsRequireAuth: Type.Boolean({
          description: "whether pipeline-mgmt's /metrics needs a bearer token (any role)",
          default: false,
        }),
        workerHeartbeatTimeoutSec: Int(
          5,
          3600,
          "a worker silent this long (seconds) no longer counts as running its tasks in a pipeline's observed status",
          30,
        ),
        degradedLagRecords: Int(
          0,
          2_000_000_000,
          'a running pipeline whose lag is above this many records and grew over the last minute is degraded',
          1000,
        ),
        degradedErrorRate: Type.Number({
          minimum: 0,
          maximum: 1,
          description:
            'a running pipeline whose share of failed records over the last minute is above this (0-1) is degraded',
          default: 0.05,
        }),
        rateLimitPerSec: Type.Number({
          exclusiveMinimum: 0,
          maximum: 1_000_000,
          description: 'requests per second each API token may make on average (per mgmt replica)',
          default: 20,
        }),
        rateLimitBurst: Int(1, 1_000_000, 'requests an API token may make at once above the average', 40),
        generatedAdminTokenFile: Type.String({
          minLength: 1,
          description:
            'without SDP_ADMIN_TOKEN, pipeline-mgmt writes a generated admin token here (mode 0600); relative to the app folder',
          default: '.stack/admin-token',
        }),
      },
      { additionalProperties: false },
    ),
    kafka: Type.Object(
      {
        sessionTimeoutMs: Int(6000, 1_800_000, 'consumer group session timeout (ms)', 45000),
        socketTimeoutMs: Int(1000, 600_000, 'Kafka request timeout (ms)', 60000),
        maxPollIntervalMs: Int(1000, 3_600_000, 'rebalance timeout: longest time between polls (ms)', 300000),
        autoOffsetReset: Type.Union([Type.Literal('earliest'), Type.Literal('latest')], {
          description: 'where a new consumer group starts',
          default: 'earliest',
        }),
        defaultPartitions: Int(1, 1000, "partitions of a new pipeline's topics", 3),
        defaultReplicationFactor: Int(1, 10, "replication factor of a new pipeline's topics", 1),
        producerClient: Type.Union([Type.Literal('platformatic'), Type.Literal('kafkajs')], {
          description:
            "the worker's Kafka client for its error and output topics: @platformatic/kafka (a third of kafkajs' CPU per record) or kafkajs",
          default: 'platformatic',
        }),
      },
      { additionalProperties: false },
    ),
    mq: Type.Object(
      {
        mqHost: Type.String({ minLength: 1, description: 'Kafka bootstrap host', default: '127.0.0.1' }),
        mqPort: Int(1, 65535, 'Kafka bootstrap port', 9092),
        username: Type.String({ description: 'SASL user; SASL is on when set', default: '' }),
        password: Type.String({ description: 'SASL password; never logged', default: '' }),
        saslMechanism: Type.Union(
          [Type.Literal('plain'), Type.Literal('scram-sha-256'), Type.Literal('scram-sha-512')],
          { description: 'SASL mechanism', default: 'plain' },
        ),
        ssl: Type.Boolean({ description: 'TLS to the brokers', default: false }),
        tlsCaFile: Type.String({
          description:
            "PEM file of the CA(s) that signed the brokers' certificates (needs mq.ssl); empty: the system CAs",
          default: '',
        }),
      },
      { additionalProperties: false },
    ),
    mysql: Type.Object(
      {
        url: Type.String({
          pattern: '^mysql://',
          description: 'MariaDB connection URL',
          default: 'mysql://sdp:sdp@127.0.0.1:3306/sdp',
        }),
        poolMax: Int(1, 100, 'largest connection pool size', 10),
      },
      { additionalProperties: false },
    ),
    opensearch: Type.Object(
      {
        url: Type.String({
          pattern: '^https?://',
          description: 'OpenSearch base URL',
          default: 'http://127.0.0.1:9200',
        }),
        username: Type.String({ description: 'basic-auth user; auth is on when set', default: '' }),
        password: Type.String({ description: 'basic-auth password; never logged', default: '' }),
        requestTimeoutMs: Int(1000, 600_000, 'timeout of one OpenSearch request (ms)', 120000),
        tlsCaFile: Type.String({
          description:
            "PEM file of the CA(s) that signed OpenSearch's certificate (https URLs); empty: the system CAs",
          default: '',
        }),
      },
      { additionalProperties: false },
    ),
    log: Type.Object(
      {
        logLevel: Type.Union(
          ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].map((l) => Type.Literal(l)),
          { description: 'least severe level written', default: 'info' },
        ),
        developMode: Type.Boolean({ description: 'pretty, human-readable logs', default: false }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type FileConfig = Static<typeof ConfigSchema>;

/** The typed configuration the services use: the file's values plus what is derived from them. */
export interface Config extends FileConfig {
  kafkaBrokers: string[];
  /** The bootstrap admin credential (SDP_ADMIN_TOKEN or SDP_ADMIN_TOKEN_FILE). */
  adminToken?: string;
  /** Contents of the CA files named by mq.tlsCaFile / opensearch.tlsCaFile, read at start-up. */
  tlsCa: { mq?: string; opensearch?: string };
  /** Salts of `hash` processors by secret key (`SDP_HASH_SECRET_<KEY>`); never logged. */
  hashSecrets: Record<string, string>;
}

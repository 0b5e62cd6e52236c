import { Kafka, KafkaConfig, logLevel as KafkaLogLevel, LogEntry, SASLOptions } from 'kafkajs';
import type { Logger } from './logger';
import type { Config } from './config/schema';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/** Routes kafkajs' own log lines into pino, structured. */
function pinoLogCreator(logger: Logger) {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, timestamp: _t, logger: _l, ...rest } = log;
      kafkaLogger[LEVELS[level] ?? 'info'](rest, message);
    };
}

function saslFor(config: Config): SASLOptions | undefined {
  const { username, password, saslMechanism } = config.mq;
  if (!username) return undefined;
  return { mechanism: saslMechanism, username, password } as SASLOptions;
}

/** TLS to the brokers: off, on with the system CAs, or on with the configured CA bundle. */
function sslFor(config: Config): KafkaConfig['ssl'] {
  if (!config.mq.ssl) return false;
  return config.tlsCa.mq ? { ca: [config.tlsCa.mq] } : true;
}

/** A kafkajs client for the configured brokers, with SASL (PLAIN, SCRAM) / TLS when configured. */
export function createKafka(config: Config, logger: Logger, clientId: string): Kafka {
  const kafkaConfig: KafkaConfig = {
    clientId,
    brokers: config.kafkaBrokers,
    ssl: sslFor(config),
    sasl: saslFor(config),
    requestTimeout: config.kafka.socketTimeoutMs,
    connectionTimeout: 10_000,
    logLevel: KafkaLogLevel.WARN,
    logCreator: pinoLogCreator(logger),
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 30_000 },
  };
  return new Kafka(kafkaConfig);
}

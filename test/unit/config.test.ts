import { buildConfig, envNameFor, loadConfig } from '../../server/common/config/load';
import { ConfigError } from '../../server/common/errors';

const base = {
  mysql: { url: 'mysql://u:p@127.0.0.1:3306/sdp' },
  opensearch: { url: 'http://127.0.0.1:9200' },
};

describe('config', () => {
  it('applies the original design defaults', () => {
    const c = buildConfig(base, {});
    expect(c.server).toMatchObject({
      httpPort: 13012,
      flushMiB: 5,
      flushItems: 10000,
      flushIntervalSec: 3,
      failureThreshold: 10,
      watchWorkersIntervalMin: 5,
    });
    expect(c.kafka).toMatchObject({
      sessionTimeoutMs: 45000,
      socketTimeoutMs: 60000,
      maxPollIntervalMs: 300000,
    });
    expect(c.kafka.autoOffsetReset).toBe('earliest');
    expect(c.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(c.log).toEqual({ logLevel: 'info', developMode: false });
    expect(buildConfig({}, {}).mysql.url).toBe('mysql://sdp:sdp@127.0.0.1:3306/sdp');
  });

  it('loads the shipped YAML file', () => {
    const c = loadConfig({});
    expect(c.server.httpPort).toBe(13012);
    expect(c.mysql.url).toMatch(/^mysql:\/\//);
  });

  it('names env overrides after section and key', () => {
    expect(envNameFor('server', 'flushMiB')).toBe('SDP_SERVER_FLUSH_MIB');
    expect(envNameFor('log', 'logLevel')).toBe('SDP_LOG_LOG_LEVEL');
    expect(envNameFor('kafka', 'sessionTimeoutMs')).toBe('SDP_KAFKA_SESSION_TIMEOUT_MS');
  });

  it('applies typed env overrides and the contract short names', () => {
    const c = buildConfig(base, {
      SDP_SERVER_FLUSH_MIB: '8.5',
      SDP_LOG_DEVELOP_MODE: 'true',
      SDP_HTTP_PORT: '14000',
      SDP_KAFKA_BROKERS: 'a:9092, b:9093',
      SDP_MYSQL_URL: 'mysql://x:y@db:3306/other',
      SDP_OPENSEARCH_URL: 'https://os:9200',
      SDP_ADMIN_TOKEN: 'secret',
    });
    expect(c.server.flushMiB).toBe(8.5);
    expect(c.log.developMode).toBe(true);
    expect(c.server.httpPort).toBe(14000);
    expect(c.kafkaBrokers).toEqual(['a:9092', 'b:9093']);
    expect(c.mysql.url).toBe('mysql://x:y@db:3306/other');
    expect(c.opensearch.url).toBe('https://os:9200');
    expect(c.adminToken).toBe('secret');
  });

  it.each([
    [{ SDP_SERVER_FLUSH_ITEMS: 'lots' }, /SDP_SERVER_FLUSH_ITEMS=lots: not a number/],
    [{ SDP_SERVER_FLUSH_ITEMS: '0' }, /server\.flushItems \(from SDP_SERVER_FLUSH_ITEMS\): must be >= 1/],
    [{ SDP_HTTP_PORT: '70000' }, /server\.httpPort \(from SDP_HTTP_PORT\): must be <= 65535/],
    [{ SDP_LOG_DEVELOP_MODE: 'maybe' }, /must be true or false/],
    [{ SDP_KAFKA_AUTO_OFFSET_RESET: 'middle' }, /kafka\.autoOffsetReset.*allowed values/],
    [{ SDP_KAFKA_BROKERS: 'nohostport' }, /not host:port/],
    [{ SDP_KAFKA_SESSION_TIMEOUT_MS: '400000' }, /must not exceed kafka\.maxPollIntervalMs/],
    [{ SDP_SERVER_RETRY_INITIAL_MS: '30000' }, /server\.retryInitialMs: must not exceed server\.retryMaxMs/],
    [{ SDP_SERVER_RETRY_MAX_MS: '0' }, /server\.retryMaxMs \(from SDP_SERVER_RETRY_MAX_MS\): must be >= 1/],
  ])('rejects bad env %p', (env, message) => {
    expect(() => buildConfig(base, env)).toThrow(ConfigError);
    expect(() => buildConfig(base, env)).toThrow(message);
  });

  it.each([
    [{ ...base, server: { flushMiB: -1 } }, /server\.flushMiB: must be > 0/],
    [{ ...base, server: { flushItem: 3 } }, /server: unknown key "flushItem"/],
    [{ ...base, extra: {} }, /extra: unknown section/],
    [{ ...base, server: 'x' }, /server: must be a mapping/],
    [{ ...base, mysql: { url: 'postgres://x' } }, /mysql\.url: must match pattern/],
    ['just text', /must be a YAML mapping/],
  ])('rejects a bad file %#', (raw, message) => {
    expect(() => buildConfig(raw, {})).toThrow(message);
  });

  it('fails with the file name when the file is missing', () => {
    expect(() => loadConfig({ SDP_CONFIG: '/nonexistent/x.yaml' })).toThrow(
      /cannot read config file \/nonexistent\/x\.yaml/,
    );
  });
});

import { Client } from '@opensearch-project/opensearch';
import type { Config } from './config/schema';

/**
 * An OpenSearch client. The transport's own retries are off (maxRetries 0): callers retry with
 * backoff through one policy (common/retry.ts), as the reliability notes advise. Basic auth and the
 * CA bundle come from the config (env or mounted files); neither is ever logged.
 */
export function createOpenSearchClient(config: Config): Client {
  const { url, username, password, requestTimeoutMs } = config.opensearch;
  return new Client({
    node: url,
    auth: username ? { username, password } : undefined,
    ssl: config.tlsCa.opensearch ? { ca: config.tlsCa.opensearch } : undefined,
    maxRetries: 0,
    requestTimeout: requestTimeoutMs,
    compression: undefined,
  });
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors';
import { findAppRoot } from '../paths';
import { Config, ConfigSchema, FileConfig } from './schema';

type Env = Record<string, string | undefined>;
/** Reads a file named by the configuration (a mounted secret, a CA bundle). */
export type ReadFile = (file: string) => string;
type Section = keyof FileConfig;
type JsonObject = Record<string, unknown>;

/** Short environment names kept from the product contract, and the key each sets. */
const ENV_ALIASES: Record<string, [Section, string]> = {
  SDP_HTTP_PORT: ['server', 'httpPort'],
  SDP_WORKER_PORT: ['server', 'workerPort'],
  SDP_MYSQL_URL: ['mysql', 'url'],
  SDP_OPENSEARCH_URL: ['opensearch', 'url'],
};

/**
 * Credentials that may also come from a mounted file: `<NAME>_FILE=/path` (e.g. a Kubernetes Secret
 * volume). The file's content (one trailing newline dropped) is used as if it were `<NAME>`.
 * `SDP_MYSQL_PASSWORD` is not a key of the file: it replaces the password of `mysql.url`.
 */
export const SECRET_ENV = [
  'SDP_MYSQL_URL',
  'SDP_MYSQL_PASSWORD',
  'SDP_MQ_USERNAME',
  'SDP_MQ_PASSWORD',
  'SDP_OPENSEARCH_USERNAME',
  'SDP_OPENSEARCH_PASSWORD',
  'SDP_ADMIN_TOKEN',
] as const;

const readUtf8: ReadFile = (file) => readFileSync(file, 'utf8');

const errnoOf = (e: unknown) => (e as { code?: unknown }).code ?? (e as Error).message;

/** Replaces each `<NAME>_FILE` of SECRET_ENV by `<NAME>` holding the file's content. Never echoes content. */
export function resolveSecretFiles(env: Env, readFile: ReadFile = readUtf8): Env {
  const out: Env = { ...env };
  for (const name of SECRET_ENV) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') continue;
    if (env[name]) throw new ConfigError(`${name} and ${name}_FILE are both set: set only one`);
    let text: string;
    try {
      text = readFile(file);
    } catch (e: unknown) {
      throw new ConfigError(`${name}_FILE: cannot read ${file} (${String(errnoOf(e))})`);
    }
    out[name] = text.replace(/\r?\n$/, '');
  }
  return out;
}

/** mysql://user@host/db plus a separate password -> mysql://user:<encoded password>@host/db. */
export function withMysqlPassword(url: string, password: string): string {
  const u = new URL(url);
  if (!u.username) throw new ConfigError('SDP_MYSQL_PASSWORD: mysql.url names no user to set it for');
  u.password = encodeURIComponent(password);
  return u.toString();
}

function readCa(key: string, file: string, readFile: ReadFile): string | undefined {
  if (!file) return undefined;
  let pem: string;
  try {
    pem = readFile(file);
  } catch (e: unknown) {
    throw new ConfigError(`${key}: cannot read ${file} (${String(errnoOf(e))})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new ConfigError(`${key}: ${file} holds no PEM certificate`);
  return pem;
}

export const DEFAULT_CONFIG_PATH = path.join(findAppRoot(), 'config', 'pipeline-config.yaml');

/** `flushMiB` -> `FLUSH_MIB`, `logLevel` -> `LOG_LEVEL`. */
export function envNameFor(section: string, key: string): string {
  const snake = key
    .replace(/[MK]iB/g, (unit) => unit.toUpperCase())
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2');
  return `SDP_${section.toUpperCase()}_${snake.toUpperCase()}`;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function coerce(raw: string, schema: JsonObject, name: string): unknown {
  const type = schema.type ?? (Array.isArray(schema.anyOf) ? 'string' : undefined);
  if (type === 'integer' || type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${name}=${raw}: not a number`);
    return n;
  }
  if (type === 'boolean') {
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    throw new ConfigError(`${name}=${raw}: must be true or false`);
  }
  return raw;
}

/** Applies `SDP_*` overrides to the raw file content; returns the merged object and where values came from. */
export function applyEnvOverrides(
  raw: JsonObject,
  env: Env,
): { merged: JsonObject; sources: Map<string, string> } {
  const merged: JsonObject = {};
  const sources = new Map<string, string>();
  const sections = ConfigSchema.properties as Record<string, { properties: Record<string, JsonObject> }>;
  for (const [section, sectionSchema] of Object.entries(sections)) {
    const fromFile = raw[section];
    if (fromFile !== undefined && fromFile !== null && !isObject(fromFile)) {
      throw new ConfigError(`${section}: must be a mapping of keys, got ${JSON.stringify(fromFile)}`);
    }
    const target: JsonObject = { ...(fromFile ?? {}) };
    for (const [key, keySchema] of Object.entries(sectionSchema.properties)) {
      const alias = Object.entries(ENV_ALIASES).find(([, [s, k]]) => s === section && k === key)?.[0];
      for (const name of [envNameFor(section, key), alias]) {
        const value = name ? env[name] : undefined;
        if (name && value !== undefined) {
          target[key] = coerce(value, keySchema, name);
          sources.set(`${section}.${key}`, name);
        }
      }
    }
    merged[section] = target;
  }
  for (const key of Object.keys(raw)) {
    if (!(key in sections))
      throw new ConfigError(`${key}: unknown section (expected one of ${Object.keys(sections).join(', ')})`);
  }
  return { merged, sources };
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validateConfig = ajv.compile<FileConfig>(ConfigSchema);

function explain(err: ErrorObject, sources: Map<string, string>): string {
  const key = err.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const extra =
    err.keyword === 'additionalProperties'
      ? `unknown key "${(err.params as { additionalProperty: string }).additionalProperty}"`
      : err.keyword === 'anyOf'
        ? 'must be one of the allowed values'
        : (err.message ?? 'invalid');
  const from = sources.get(key);
  return `${key || '(root)'}${from ? ` (from ${from})` : ''}: ${extra}`;
}

/**
 * Builds the typed config from file content and environment, or throws ConfigError naming each bad
 * key. Pure but for `readFile`, used only for `*_FILE` secrets and the TLS CA files.
 */
export function buildConfig(raw: unknown, givenEnv: Env, readFile: ReadFile = readUtf8): Config {
  if (raw !== null && raw !== undefined && !isObject(raw))
    throw new ConfigError('config file must be a YAML mapping');
  const env = resolveSecretFiles(givenEnv, readFile);
  const { merged, sources } = applyEnvOverrides((raw ?? {}) as JsonObject, env);
  if (!validateConfig(merged)) {
    const errors = (validateConfig.errors ?? []).filter((e) => e.keyword !== 'const');
    const lines = [...new Set(errors.map((e) => explain(e, sources)))];
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const cfg = merged as FileConfig;
  if (cfg.kafka.sessionTimeoutMs > cfg.kafka.maxPollIntervalMs) {
    throw new ConfigError('kafka.sessionTimeoutMs: must not exceed kafka.maxPollIntervalMs');
  }
  if (cfg.server.retryInitialMs > cfg.server.retryMaxMs) {
    throw new ConfigError('server.retryInitialMs: must not exceed server.retryMaxMs');
  }
  if (cfg.mq.password && !cfg.mq.username) throw new ConfigError('mq.password: set without mq.username');
  if (cfg.opensearch.password && !cfg.opensearch.username)
    throw new ConfigError('opensearch.password: set without opensearch.username');
  if (cfg.mq.tlsCaFile && !cfg.mq.ssl) throw new ConfigError('mq.tlsCaFile: set without mq.ssl: true');
  if (cfg.opensearch.tlsCaFile && !cfg.opensearch.url.startsWith('https://'))
    throw new ConfigError('opensearch.tlsCaFile: set but opensearch.url is not https://');
  if (env.SDP_MYSQL_PASSWORD) cfg.mysql.url = withMysqlPassword(cfg.mysql.url, env.SDP_MYSQL_PASSWORD);
  const brokers = (env.SDP_KAFKA_BROKERS ?? `${cfg.mq.mqHost}:${cfg.mq.mqPort}`)
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const b of brokers) {
    if (!/^[^:\s]+:\d{1,5}$/.test(b)) throw new ConfigError(`SDP_KAFKA_BROKERS: "${b}" is not host:port`);
  }
  if (brokers.length === 0) throw new ConfigError('SDP_KAFKA_BROKERS: no broker given');
  const adminToken = env.SDP_ADMIN_TOKEN || undefined;
  const tlsCa = {
    mq: readCa('mq.tlsCaFile', cfg.mq.tlsCaFile, readFile),
    opensearch: readCa('opensearch.tlsCaFile', cfg.opensearch.tlsCaFile, readFile),
  };
  return { ...cfg, kafkaBrokers: brokers, adminToken, tlsCa, hashSecrets: hashSecretsFrom(env) };
}

/** Prefix of the environment variables holding the named secrets of `hash` processors. */
export const HASH_SECRET_ENV_PREFIX = 'SDP_HASH_SECRET_';

/** The env key part of a secret name: `pii-salt` → `PII_SALT` (read from `SDP_HASH_SECRET_PII_SALT`). */
export function hashSecretKey(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** Named hash salts from `SDP_HASH_SECRET_<NAME>` (never from the API, never logged). */
function hashSecretsFrom(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith(HASH_SECRET_ENV_PREFIX) && k.length > HASH_SECRET_ENV_PREFIX.length && v)
      out[k.slice(HASH_SECRET_ENV_PREFIX.length)] = v;
  }
  return out;
}

/** Reads the YAML file (SDP_CONFIG or the default) and the environment. The only reader of process.env for config. */
export function loadConfig(env: Env = process.env): Config {
  const file = env.SDP_CONFIG ?? DEFAULT_CONFIG_PATH;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(e as Error).message}`);
  }
  return buildConfig(raw, env);
}

import pino, { Logger, LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths whose values pino removes before serialising (first line of defence, whole values of any
 * type). pino paths are exact, so secrets nested deeper (an OpenSearch error's
 * `meta.meta.request.params.headers.authorization`, a kafkajs broker's `sasl`) are caught by
 * `scrubSecrets` on the serialised line.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'config.mq.password',
  'config.opensearch.password',
  'config.mysql.url',
  'config.adminToken',
  'config.tlsCa',
  'adminToken',
  '*.adminToken',
  'sasl',
  '*.sasl',
  '*.*.sasl',
];

const CENSOR = '[redacted]';

/** Line-level rules: [pattern, replacement]. Each runs on the whole JSON line, so depth does not matter. */
const SCRUB_RULES: ReadonlyArray<[RegExp, string]> = [
  // "password": "...", "authorization": "...", "adminToken": "...", "set-cookie": "..." at any depth.
  [/"([\w-]*(?:password|passwd|secret|token|authorization|cookie))":"(?:[^"\\]|\\.)*"/gi, `"$1":"${CENSOR}"`],
  // Credentials in header form, inside any string.
  [/\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{8,}/g, `$1$2${CENSOR}`],
  // user:password@ in URLs (mysql://sdp:pw@host, https://u:p@opensearch).
  [/([a-z][a-z0-9+.-]*:\/\/)([^\s:@/"\\]*):([^\s@/"\\]+)@/gi, '$1$2:***@'],
  // sdp API tokens and generated admin tokens, wherever they appear.
  [/\bsdpa?_(?:[0-9a-f]{32}_)?[A-Za-z0-9_-]{43}/g, CENSOR],
  // PEM private keys (e.g. a TLS client key in an echoed connection option).
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----/g, CENSOR],
];

/** Removes credentials from one serialised log line, whatever path or string they are in. */
export function scrubSecrets(line: string): string {
  let out = line;
  for (const [pattern, replacement] of SCRUB_RULES) out = out.replace(pattern, replacement);
  return out;
}

export interface LoggerSettings {
  logLevel: string;
  developMode: boolean;
  name: string;
}

/** Strips the password from a URL such as mysql://user:pass@host/db before it is shown anywhere. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

/**
 * The root logger of a process. Components take children of it
 * (`logger.child({ component: 'bulk-indexer', pipelineId })`).
 */
export function createLogger(settings: LoggerSettings, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    name: settings.name,
    level: settings.logLevel,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    hooks: { streamWrite: scrubSecrets },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (destination) return pino(options, destination);
  if (settings.developMode) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(options);
}

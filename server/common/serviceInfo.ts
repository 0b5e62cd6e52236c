import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findAppRoot } from './paths';

export interface ServiceInfo {
  service: string;
  version: string;
  language: string;
  runtime: string;
  runtimeVersion: string;
  arch: string;
  platform: string;
}

let cachedVersion: string | undefined;

export function appVersion(): string {
  if (!cachedVersion) {
    const pkg = JSON.parse(readFileSync(path.join(findAppRoot(), 'package.json'), 'utf8')) as {
      version: string;
    };
    cachedVersion = pkg.version;
  }
  return cachedVersion;
}

/** What /health reports, as in the original design: name, version, language, runtime version and architecture. */
export function serviceInfo(service: string): ServiceInfo {
  return {
    service,
    version: appVersion(),
    language: 'TypeScript',
    runtime: 'node',
    runtimeVersion: process.version,
    arch: process.arch,
    platform: process.platform,
  };
}

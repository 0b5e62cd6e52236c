import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CliError } from './apiClient';

/** A pipeline as a manifest declares it: the API's fields, plus `kind: Pipeline`. */
export interface PipelineManifest {
  name: string;
  /** Every field of the manifest but `kind` and `apiVersion`, as the API takes them. */
  fields: Record<string, unknown>;
  /** Where it was declared, for messages. */
  source: string;
}

const YAML_FILE = /\.ya?ml$/i;

function filesOf(target: string): string[] {
  let st;
  try {
    st = statSync(target);
  } catch {
    throw new CliError(`${target}: no such file or directory`);
  }
  if (!st.isDirectory()) return [target];
  return readdirSync(target)
    .filter((f) => YAML_FILE.test(f))
    .sort()
    .map((f) => path.join(target, f));
}

/** Reads every `kind: Pipeline` document of the files (a directory: its *.yaml / *.yml files). */
export function loadManifests(targets: readonly string[]): PipelineManifest[] {
  const out: PipelineManifest[] = [];
  const seen = new Map<string, string>();
  for (const file of targets.flatMap(filesOf)) {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'));
    docs.forEach((doc, i) => {
      const where = `${file}#${i + 1}`;
      if (doc.errors.length > 0)
        throw new CliError(`${where}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) return;
      if (typeof value !== 'object' || Array.isArray(value))
        throw new CliError(`${where}: a document must be a mapping`);
      const { kind, apiVersion: _apiVersion, ...fields } = value as Record<string, unknown>;
      if (kind !== 'Pipeline')
        throw new CliError(`${where}: kind must be Pipeline, got ${JSON.stringify(kind)}`);
      const name = fields.name;
      if (typeof name !== 'string' || name.length === 0) throw new CliError(`${where}: name is required`);
      const before = seen.get(name);
      if (before) throw new CliError(`${where}: pipeline ${name} is declared twice (first in ${before})`);
      seen.set(name, where);
      out.push({ name, fields, source: where });
    });
  }
  return out;
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { envNameFor } from '../../server/common/config/load';
import { ConfigSchema } from '../../server/common/config/schema';
import { findAppRoot } from '../../server/common/paths';

// The schema is the source of truth: the shipped YAML and the README's reference must name every key.
const root = findAppRoot(__dirname);
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const yaml = readFileSync(path.join(root, 'config', 'pipeline-config.yaml'), 'utf8');
const keys = Object.entries(ConfigSchema.properties).flatMap(([section, schema]) =>
  Object.keys((schema as { properties: Record<string, unknown> }).properties).map(
    (key) => [section, key] as const,
  ),
);

describe('configuration reference', () => {
  it.each(keys)(
    '%s.%s is documented in the README with its env name and present in the YAML',
    (section, key) => {
      expect(readme).toContain(`\`${section}.${key}\``);
      expect(readme).toContain(`\`${envNameFor(section, key)}\``);
      expect(yaml).toMatch(new RegExp(`^\\s+${key}:`, 'm'));
    },
  );
});

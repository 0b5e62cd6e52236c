import { randomBytes } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';
import { DependencyError, describeError } from '../../common/errors';
import type { IndexDefinition } from '../interfaces/indexAdmin';
import type { MappingCheck, TrialOutcome } from '../interfaces/mappingCheck';

type Json = Record<string, unknown>;

interface IndexShape {
  mappings: Json;
  analysis?: Json;
}

/** The mappings (and analysis settings, which mappings may name) of an index, or what templates would give a new one. */
async function shapeOf(client: Client, index: string, proposed?: IndexDefinition): Promise<IndexShape> {
  const exists = (await client.indices.exists({ index })).body === true;
  if (exists) {
    const mapping = (await client.indices.getMapping({ index })).body as Record<string, { mappings?: Json }>;
    const settings = (await client.indices.getSettings({ index })).body as Record<
      string,
      { settings?: { index?: { analysis?: Json } } }
    >;
    const first = Object.keys(mapping)[0];
    return {
      mappings: (first && mapping[first]?.mappings) || {},
      analysis: first ? settings[first]?.settings?.index?.analysis : undefined,
    };
  }
  if (proposed) {
    const settings = proposed.settings as { analysis?: Json; index?: { analysis?: Json } } | undefined;
    return { mappings: proposed.mappings ?? {}, analysis: settings?.analysis ?? settings?.index?.analysis };
  }
  const simulated = (
    await client.transport.request({
      method: 'POST',
      path: `/_index_template/_simulate_index/${encodeURIComponent(index)}`,
    })
  ).body as { template?: { mappings?: Json; settings?: { index?: { analysis?: Json } } } };
  return {
    mappings: simulated.template?.mappings ?? {},
    analysis: simulated.template?.settings?.index?.analysis,
  };
}

/**
 * Tries documents in a scratch index per target (`sdp-simulate-<random>`, one shard, no replica,
 * the target's mappings and analysis settings), reads each bulk item's answer and deletes the
 * scratch index: the target index is never written.
 */
export function createOpenSearchMappingCheck({ client }: { client: Client }): MappingCheck {
  return {
    async check(docs, options = {}) {
      const out: TrialOutcome[] = docs.map(() => ({ accepted: true }));
      const byIndex = new Map<string, number[]>();
      docs.forEach((d, i) => byIndex.set(d.index, [...(byIndex.get(d.index) ?? []), i]));
      for (const [index, positions] of byIndex) {
        const scratch = `sdp-simulate-${randomBytes(6).toString('hex')}`;
        try {
          const shape = await shapeOf(client, index, options.proposed);
          await client.indices.create({
            index: scratch,
            body: {
              settings: {
                number_of_shards: 1,
                number_of_replicas: 0,
                ...(shape.analysis ? { analysis: shape.analysis } : {}),
              },
              mappings: shape.mappings,
            },
          });
          const body = positions
            .map(
              (i) =>
                `${JSON.stringify({ index: { _index: scratch, _id: docs[i]!.id } })}\n${docs[i]!.source}\n`,
            )
            .join('');
          const res = (
            await client.transport.request({
              method: 'POST',
              path: '/_bulk',
              body,
              querystring: { refresh: 'false' },
            })
          ).body as {
            items: Array<{ index?: { status: number; error?: { type?: string; reason?: string } } }>;
          };
          res.items.forEach((item, k) => {
            const err = item.index?.error;
            if (err)
              out[positions[k]!] = {
                accepted: false,
                errorType: err.type ?? 'unknown',
                reason: err.reason ?? '',
              };
          });
        } catch (e) {
          throw new DependencyError(
            `OpenSearch could not check documents against ${index}: ${describeError(e)}`,
            {
              code: 'opensearch_unavailable',
              cause: e,
            },
          );
        } finally {
          await client.indices.delete({ index: scratch }).catch(() => undefined);
        }
      }
      return out;
    },
  };
}

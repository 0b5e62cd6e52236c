import type { Client } from '@opensearch-project/opensearch';
import { DependencyError, describeError, InputError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { IndexAdmin } from '../interfaces/indexAdmin';

interface ResponseErrorLike {
  name?: string;
  meta?: { statusCode?: number; body?: { error?: { type?: string; reason?: string } } };
}

const statusOf = (e: unknown) => (e as ResponseErrorLike).meta?.statusCode;
const errorOf = (e: unknown) => (e as ResponseErrorLike).meta?.body?.error;

const unavailable = (what: string, e: unknown) =>
  new DependencyError(`OpenSearch could not ${what}: ${describeError(e)}`, {
    code: 'opensearch_unavailable',
    cause: e,
  });

/** Indices through the OpenSearch client. */
export function createOpenSearchIndexAdmin({
  client,
  logger,
}: {
  client: Client;
  logger: Logger;
}): IndexAdmin {
  const log = logger.child({ component: 'opensearch-index-admin' });
  return {
    exists: async (index) => {
      try {
        const res = await client.indices.exists({ index });
        return res.body === true;
      } catch (e: unknown) {
        if (statusOf(e) === 404) return false;
        if (statusOf(e) === 400) {
          throw new InputError(
            `OpenSearch refused the index name "${index}"`,
            { index },
            'invalid_index_name',
          );
        }
        throw unavailable(`check index ${index}`, e);
      }
    },

    create: async (index, definition) => {
      try {
        await client.indices.create({ index, body: definition });
        log.info({ index }, 'created index');
        return 'created';
      } catch (e: unknown) {
        const status = statusOf(e);
        const err = errorOf(e);
        if (err?.type === 'resource_already_exists_exception') return 'exists';
        if (status === 400 || (e as ResponseErrorLike).name === 'SerializationError') {
          throw new InputError(
            `OpenSearch refused the index definition: ${err?.reason ?? err?.type ?? status}`,
            { opensearch: err?.type, reason: err?.reason },
            'invalid_index_definition',
          );
        }
        throw unavailable(`create index ${index}`, e);
      }
    },

    delete: async (index) => {
      try {
        await client.indices.delete({ index });
        log.info({ index }, 'deleted index');
      } catch (e: unknown) {
        if (statusOf(e) === 404) return;
        throw unavailable(`delete index ${index}`, e);
      }
    },

    putTemplate: async (name, patterns, definition) => {
      try {
        await client.indices.putIndexTemplate({
          name,
          body: { index_patterns: patterns, template: definition, priority: 100 },
        });
        log.info({ template: name, patterns }, 'put index template');
      } catch (e: unknown) {
        const err = errorOf(e);
        if (statusOf(e) === 400) {
          throw new InputError(
            `OpenSearch refused the index template for ${patterns.join(', ')}: ${err?.reason ?? err?.type}`,
            { opensearch: err?.type, reason: err?.reason },
            'invalid_index_definition',
          );
        }
        throw unavailable(`put index template ${name}`, e);
      }
    },

    deleteTemplate: async (name) => {
      try {
        await client.indices.deleteIndexTemplate({ name });
        log.info({ template: name }, 'deleted index template');
      } catch (e: unknown) {
        if (statusOf(e) === 404) return;
        throw unavailable(`delete index template ${name}`, e);
      }
    },
  };
}

import type { CompiledChain } from '../processors/chain';
import type { RecordMeta } from '../processors/types';
import type { SourceRecord } from '../records';
import { PrepareStep, RecordDraft, stepFailure } from './recordDraft';

function headerText(v: Buffer | string | Array<Buffer | string> | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.length > 0 ? headerText(v[v.length - 1]) : undefined;
  return typeof v === 'string' ? v : v.toString('utf8');
}

function headersOf(h: SourceRecord['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const [k, v] of Object.entries(h)) {
    const t = headerText(v);
    if (t !== undefined) out[k] = t;
  }
  return out;
}

/** What `meta` holds in expressions: built once per record, and only when an expression reads it. */
function metaOf(draft: RecordDraft): () => RecordMeta {
  let meta: RecordMeta | undefined;
  return () => {
    if (!meta) {
      const o = draft.origin;
      meta = {
        topic: o.topic,
        partition: o.partition,
        offset: o.offset,
        timestamp: Number(o.timestamp),
        key: o.key ? o.key.toString('utf8') : null,
        headers: headersOf(draft.headers),
      };
    }
    return meta;
  };
}

/**
 * Stage `transform`: the pipeline's processor chain over the decoded document. A processor that
 * fails with `onFailure: "error"` sends the record to the error topic with its position and
 * operation; a split fills `outputs` with every document, a drop leaves it empty.
 */
export function transformStep(chain: CompiledChain): PrepareStep {
  return {
    name: 'transform',
    run(draft) {
      if (!draft.doc) return null;
      const out = chain.run(draft.doc, metaOf(draft));
      if (out.kind === 'failed') {
        return stepFailure(
          'transform',
          out.errorType,
          `processors[${out.index}] (${out.op}): ${out.reason}`,
          { processor: out.index, operation: out.op },
        );
      }
      if (out.kind === 'dropped') {
        draft.outputs = [];
        return null;
      }
      if (out.changed) draft.changed = true;
      if (out.split || out.documents.length !== 1) {
        draft.outputs = out.documents.map((doc) => ({ doc }));
        draft.changed = true;
      } else {
        draft.doc = out.documents[0];
      }
      return null;
    },
  };
}

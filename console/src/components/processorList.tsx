import { describeProcessor } from '../processors';

/** A pipeline's processors (when the API has them) as a numbered list; see processors.ts. */
export function ProcessorList({ processors }: { processors: unknown }) {
  if (processors === undefined) return null;
  const list = Array.isArray(processors) ? processors : [processors];
  if (list.length === 0) return <p class="muted">No processors: records are indexed as they come.</p>;
  return (
    <ol class="processors">
      {list.map((p, i) => {
        const d = describeProcessor(p);
        return (
          <li key={i}>
            <strong>{d.kind}</strong>
            {d.settings ? <span class="muted"> {d.settings}</span> : null}
          </li>
        );
      })}
    </ol>
  );
}

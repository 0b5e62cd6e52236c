import type { Knex } from 'knex';

/** A position in a list ordered by (created_at, id): the last item of the previous page. */
export interface KeysetPosition {
  createdAt: string;
  id: string;
}

/**
 * One page of a list ordered oldest first by `created_at`, ties broken by `id`: rows after `after`,
 * at most `limit` of them, and the position to continue from when there are more. Reads one row
 * beyond the page to know whether there is a next one.
 */
export async function keysetPage<Row extends object, Item extends KeysetPosition>(
  q: Knex.QueryBuilder,
  { limit, after }: { limit: number; after?: KeysetPosition },
  toItem: (row: Row) => Item,
): Promise<{ items: Item[]; next?: KeysetPosition }> {
  if (after) {
    const at = new Date(after.createdAt);
    q.where((w) =>
      w.where('created_at', '>', at).orWhere((x) => x.where('created_at', at).where('id', '>', after.id)),
    );
  }
  const rows = (await q.orderBy([{ column: 'created_at' }, { column: 'id' }]).limit(limit + 1)) as Row[];
  const items = rows.slice(0, limit).map(toItem);
  const last = items[items.length - 1];
  return rows.length > limit && last
    ? { items, next: { createdAt: last.createdAt, id: last.id } }
    : { items };
}

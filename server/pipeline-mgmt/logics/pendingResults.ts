import type { RecordPosition } from '../interfaces/recordProducer';
import type { WaitOutcome } from '../interfaces/ingestService';
import type { RecordOutcome, RecordResult } from '../interfaces/recordResults';

const keyOf = (p: RecordPosition) => `${p.partition}:${p.offset}`;

/** One caller's wait: the outcomes of its records, in request order, as they arrive. */
export class Wait {
  readonly outcomes: WaitOutcome[];
  private left: number;
  private settle!: () => void;
  readonly done: Promise<void>;

  constructor(readonly positions: readonly RecordPosition[]) {
    this.outcomes = positions.map(() => ({ status: 'pending' }));
    this.left = positions.length;
    this.done = new Promise((resolve) => (this.settle = resolve));
    if (this.left === 0) this.settle();
  }

  /** Records still without an outcome. */
  get pending(): number {
    return this.left;
  }

  /** Sets the outcome of the record at `i` (the first outcome wins: a result seen twice is one). */
  resolve(i: number, outcome: RecordOutcome): void {
    if (this.outcomes[i]!.status !== 'pending') return;
    this.outcomes[i] = outcome;
    if (--this.left === 0) this.settle();
  }

  /** Ends the wait as it is: records without an outcome stay `pending`. */
  end(): void {
    this.settle();
  }
}

/**
 * The waits of one pipeline, by input position, and the results that arrived before anyone waited
 * for them (a worker can answer before the producer's acknowledgement reaches us). Both are
 * bounded: `maxEarly` results are kept, oldest dropped first.
 */
export class PendingResults {
  private readonly byPosition = new Map<string, Array<{ wait: Wait; i: number }>>();
  private readonly early = new Map<string, RecordOutcome>();
  private waits = 0;

  constructor(private readonly maxEarly: number) {}

  /** Records waited for (the bound on pending waits counts these). */
  get size(): number {
    return this.byPosition.size;
  }

  get activeWaits(): number {
    return this.waits;
  }

  add(wait: Wait): void {
    this.waits++;
    wait.positions.forEach((p, i) => {
      const k = keyOf(p);
      const known = this.early.get(k);
      if (known) {
        wait.resolve(i, known);
        return;
      }
      const list = this.byPosition.get(k);
      if (list) list.push({ wait, i });
      else this.byPosition.set(k, [{ wait, i }]);
    });
  }

  /** Forgets `wait` (answered, timed out or abandoned by its caller) and frees its entries. */
  remove(wait: Wait): void {
    this.waits--;
    for (const p of wait.positions) {
      const k = keyOf(p);
      const list = this.byPosition.get(k);
      if (!list) continue;
      const rest = list.filter((e) => e.wait !== wait);
      if (rest.length === 0) this.byPosition.delete(k);
      else this.byPosition.set(k, rest);
    }
  }

  deliver(r: RecordResult): void {
    const k = keyOf(r.position);
    const list = this.byPosition.get(k);
    if (list) {
      this.byPosition.delete(k);
      for (const { wait, i } of list) wait.resolve(i, r.outcome);
      return;
    }
    if (this.early.has(k)) return;
    this.early.set(k, r.outcome);
    if (this.early.size > this.maxEarly) this.early.delete(this.early.keys().next().value as string);
  }
}

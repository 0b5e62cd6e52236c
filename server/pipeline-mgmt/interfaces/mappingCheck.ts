import type { IndexDefinition } from './indexAdmin';

/** A document to try against an index's mapping. */
export interface TrialDocument {
  index: string;
  id: string;
  /** The document as one line of JSON. */
  source: string;
}

/** What OpenSearch would say of a document: accepted, or refused with its error type and reason. */
export type TrialOutcome = { accepted: true } | { accepted: false; errorType: string; reason: string };

/**
 * Tries documents against the mappings their target indices have (or, for an index that does not
 * exist yet, would get from the index templates), without writing to those indices.
 */
export interface MappingCheck {
  /**
   * `proposed`: the definition an index that does not exist yet would be created with (a new
   * pipeline's `createIndex`); without it such an index gets what the index templates give.
   */
  check(docs: readonly TrialDocument[], options?: { proposed?: IndexDefinition }): Promise<TrialOutcome[]>;
}

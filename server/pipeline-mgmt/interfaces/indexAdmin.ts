/** Settings and mappings for an index created together with a pipeline, passed to OpenSearch as given. */
export interface IndexDefinition {
  settings?: Record<string, unknown>;
  mappings?: Record<string, unknown>;
}

/** OpenSearch indices that pipelines write into. */
export interface IndexAdmin {
  /** Whether an index (or alias) of that name exists. */
  exists(index: string): Promise<boolean>;
  /** Creates the index; `exists` when it was already there (and is left alone). */
  create(index: string, definition: IndexDefinition): Promise<'created' | 'exists'>;
  /** Deletes the index; a missing one is ignored. */
  delete(index: string): Promise<void>;
  /** Creates or replaces an index template: every new index matching `patterns` gets `definition`. */
  putTemplate(name: string, patterns: string[], definition: IndexDefinition): Promise<void>;
  /** Deletes an index template; a missing one is ignored. */
  deleteTemplate(name: string): Promise<void>;
}

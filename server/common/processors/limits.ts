/**
 * Caps on what a pipeline may configure: each bounds the cost of compiling a configuration at
 * create/update time and of running it on every record.
 */

/** Processors per pipeline: a longer chain is a design smell and multiplies the per-record cost. */
export const MAX_PROCESSORS = 64;

/** One CEL expression (bytes): enough for a real condition, too small to smuggle a program. */
export const MAX_EXPRESSION_BYTES = 4096;

/** CEL parser limits: AST size and nesting bound evaluation cost and the parser's recursion. */
export const CEL_LIMITS = {
  maxAstNodes: 1000,
  maxDepth: 32,
  maxListElements: 256,
  maxMapEntries: 256,
  maxCallArguments: 16,
};

/** A pipeline's JSON Schema, serialised (bytes): ajv compiles it to code, so its size bounds that code. */
export const MAX_SCHEMA_BYTES = 64 * 1024;

/** Nesting of a JSON Schema: deeper schemas overflow ajv's recursive compiler. */
export const MAX_SCHEMA_DEPTH = 32;

/** Schema errors kept per record: `allErrors` on hostile input can report thousands. */
export const MAX_SCHEMA_ERRORS = 10;

/** Fields listed by one `remove`, `select` or `hash`. */
export const MAX_FIELDS = 256;

/** Formats one `date` processor tries. */
export const MAX_DATE_FORMATS = 16;

/** Documents one `split` may make of a record: each is a bulk action with its own id. */
export const MAX_SPLIT_DOCUMENTS = 1000;

/** Longest index template (characters); the resolved name is checked against OpenSearch's 255 bytes. */
export const MAX_INDEX_TEMPLATE_CHARS = 512;

/** Longest dissect pattern (characters). */
export const MAX_DISSECT_PATTERN_CHARS = 1024;

/** Largest text `parseJson` decodes (bytes). */
export const MAX_PARSE_JSON_BYTES = 1024 * 1024;

/** Deepest nesting `flatten` walks. */
export const MAX_FLATTEN_DEPTH = 32;

import { describeType, PrepareStep, stepFailure } from './recordDraft';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Stage `parse`: the value must be UTF-8 text holding one JSON object. Fills `text` and `doc`. */
export const decodeJsonObject: PrepareStep = {
  name: 'parse',
  run(draft) {
    const value = draft.value;
    if (value === null || value.length === 0)
      return stepFailure('parse', 'empty_value', 'the record has no value');
    let text: string;
    try {
      text = utf8.decode(value);
    } catch {
      return stepFailure('parse', 'invalid_utf8', 'the value is not valid UTF-8 text');
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return stepFailure('parse', 'invalid_json', `the value is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      return stepFailure(
        'parse',
        'not_an_object',
        `the value must be a JSON object, got ${describeType(doc)}`,
      );
    }
    draft.text = text;
    draft.doc = doc as Record<string, unknown>;
    return null;
  },
};

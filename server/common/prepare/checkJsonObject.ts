import { decodeJsonObject } from './decodeJsonObject';
import { isOneLineJsonObject } from './jsonObjectScan';
import type { PrepareStep } from './recordDraft';

/**
 * Stage `parse` for a pipeline whose later steps never read the document (no processors, schema,
 * index template or idField): a value that is one JSON object on one line is passed on as received,
 * checked byte by byte without decoding or parsing it (`valueIsDocument`), so it costs no garbage.
 * Any other value goes through `decodeJsonObject`, which parses it or says what is wrong with it, so
 * the outcome and the error records are the same as with `decodeJsonObject` alone.
 */
export const checkJsonObject: PrepareStep = {
  name: 'parse',
  run(draft) {
    if (draft.value !== null && isOneLineJsonObject(draft.value)) {
      draft.valueIsDocument = true;
      return null;
    }
    return decodeJsonObject.run(draft);
  },
};

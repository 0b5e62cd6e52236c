import { fieldParam, integerParam, OperationSpec } from './params';
import { stringFieldOperation } from './stringField';

/** Largest `maxBytes`: OpenSearch's own limit on one term is 32 766 bytes, a text field may be longer. */
const MAX_TRUNCATE_BYTES = 16 * 1024 * 1024;

/** The longest prefix of `s` of at most `max` UTF-8 bytes, never splitting a character. */
export function cutToBytes(s: string, max: number): string {
  if (s.length * 3 <= max) return s; // cannot exceed: fast path
  if (s.length > max) {
    // Fast path: a prefix of `max` one-byte (ASCII) characters is exactly `max` bytes.
    const head = s.slice(0, max);
    if (Buffer.byteLength(head, 'utf8') === max) return head;
  } else if (Buffer.byteLength(s, 'utf8') <= max) return s;
  const b = Buffer.from(s, 'utf8');
  if (b.length <= max) return s;
  let end = max;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}

/** `truncate {field, maxBytes}`: cuts the string at `field` to at most `maxBytes` UTF-8 bytes. */
export const truncate: OperationSpec = {
  name: 'truncate',
  params: ['field', 'maxBytes'],
  compile(p) {
    const field = fieldParam(p, 'field');
    const max = integerParam(p, 'maxBytes', 1, MAX_TRUNCATE_BYTES);
    return stringFieldOperation(field, 'truncate', (s) => cutToBytes(s, max));
  },
};

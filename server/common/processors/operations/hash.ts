import { createHmac } from 'node:crypto';
import { canSetPath, requirePath, setPath } from '../paths';
import { OperationFailure } from '../types';
import { enumParam, fieldListParam, OperationSpec, optionalFieldParam, ParamError } from './params';

/** Secret names: what the worker's configuration can name (env `SDP_HASH_SECRET_<NAME>`). */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * `hash {fields, targetField?, algorithm="sha256", saltSecret}`: HMAC-SHA-256 (hex) keyed with the
 * named secret of the worker's configuration, never a value from the API. Without `targetField`
 * each field is replaced by its own hash; with one, the hash of all fields' values (in order) goes
 * there.
 */
export const hash: OperationSpec = {
  name: 'hash',
  params: ['fields', 'targetField', 'algorithm', 'saltSecret'],
  compile(p, ctx) {
    const fields = fieldListParam(p, 'fields');
    const target = optionalFieldParam(p, 'targetField');
    enumParam(p, 'algorithm', ['sha256'] as const, 'sha256');
    const name = p.saltSecret;
    if (name === undefined)
      throw new ParamError('saltSecret', 'is required (the name of a secret of the worker)');
    if (typeof name !== 'string' || !SECRET_NAME_PATTERN.test(name))
      throw new ParamError('saltSecret', 'must be a secret name: letters, digits, _ and -, at most 64');
    // mgmt compiles without secrets (they live with the workers); a worker lacking one fails each record.
    const salt = ctx.secrets ? ctx.secrets(name) : '';
    const digest = (s: string) =>
      createHmac('sha256', salt ?? '')
        .update(s)
        .digest('hex');
    return {
      apply(doc) {
        if (salt === undefined)
          throw new OperationFailure(`secret "${name}" is not configured on this worker`, 'secret_missing');
        const values = fields.map((f) => requirePath(doc, f));
        if (target !== undefined) {
          if (!canSetPath(doc, target))
            throw new OperationFailure(`cannot set "${target}": a parent on its path is not an object`);
          setPath(doc, target, digest(values.length === 1 ? text(values[0]) : JSON.stringify(values)));
          return true;
        }
        fields.forEach((f, i) => setPath(doc, f, digest(text(values[i]))));
        return true;
      },
    };
  },
};

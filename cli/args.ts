import { CliError } from './apiClient';

/** A positive number given on the command line (`integer`: a whole one), or a one-line CliError naming it. */
export function positiveArg(what: string, v: string, integer = true): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new CliError(`${what} ${v}: expected a positive ${integer ? 'integer' : 'number'}`);
  return n;
}

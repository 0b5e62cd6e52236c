import { TSchema, Type } from '@sinclair/typebox';

/** Building blocks shared by the schema modules (functions and shared sub-schemas only). */

export const StringEnum = <T extends string>(values: readonly T[], options: Record<string, unknown> = {}) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const TeamSchema = Type.String({
  pattern: '^[a-z0-9][a-z0-9_.-]{0,99}$',
  description:
    'team: lowercase letters, digits, `_`, `.` and `-`, starting with a letter or digit, at most 100',
});

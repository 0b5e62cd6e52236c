import { Static, Type } from '@sinclair/typebox';
import { ROLES } from '../interfaces/actor';
import { AUDIT_ACTIONS, AUDIT_TARGET_TYPES } from '../interfaces/auditLog';
import { Nullable, StringEnum, TeamSchema } from './schemaKit';

/** Bodies and answers of /api/v1/tokens and /api/v1/audit (re-exported by schemas.ts, so they are in /openapi.json). */

export { TeamSchema };

export const RoleSchema = StringEnum(ROLES, {
  description:
    "producer: only post records to its team's pipelines; viewer: read its team's pipelines; editor: also create and change them, post records, mint editor/viewer/producer tokens for its team; admin: everything",
});

export const TokenNameSchema = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[\\x21-\\x7e](?:[\\x20-\\x7e]{0,98}[\\x21-\\x7e])?$',
  description:
    'printable ASCII; unique among live tokens; recorded as createdBy / updatedBy and in the audit log',
});

export const CreateTokenBody = Type.Object(
  {
    name: TokenNameSchema,
    role: RoleSchema,
    team: Type.Optional(
      Nullable({
        ...TeamSchema,
        description: "default the caller's team; editor and viewer tokens need one",
      }),
    ),
  },
  { additionalProperties: false },
);

const TokenFields = {
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  role: RoleSchema,
  team: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
  revokedBy: Nullable(Type.String()),
};

export const TokenSchema = Type.Object(TokenFields, {
  additionalProperties: false,
  description: 'an API token, without its secret',
});

export const MintedTokenSchema = Type.Object(
  {
    ...TokenFields,
    token: Type.String({
      description: 'the bearer token; shown in this response only, stored only as a hash',
    }),
  },
  { additionalProperties: false },
);

export const TokenListSchema = Type.Object({
  items: Type.Array(TokenSchema),
  nextCursor: Nullable(Type.String()),
});

export const TokenListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'page size' }),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'opaque, from `nextCursor`' })),
    includeRevoked: Type.Boolean({ default: false, description: 'also list revoked tokens' }),
  },
  { additionalProperties: false },
);

export const AuditActionSchema = StringEnum(AUDIT_ACTIONS, { description: 'what was done' });

export const AuditEntrySchema = Type.Object(
  {
    id: Type.String(),
    at: Type.String({ format: 'date-time' }),
    actor: Type.Object({
      tokenId: Nullable(Type.String({ description: 'null: the bootstrap admin (SDP_ADMIN_TOKEN)' })),
      name: Type.String(),
      role: RoleSchema,
      team: Nullable(Type.String()),
    }),
    action: AuditActionSchema,
    target: Type.Object({
      type: StringEnum(AUDIT_TARGET_TYPES),
      id: Type.String(),
      name: Type.String(),
    }),
    team: Nullable(Type.String({ description: 'team of the target' })),
    versionBefore: Nullable(Type.Integer()),
    versionAfter: Nullable(Type.Integer()),
    details: Type.Object({}, { additionalProperties: true, description: 'what changed (field: {from, to})' }),
    requestId: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const AuditListSchema = Type.Object({
  items: Type.Array(AuditEntrySchema),
  nextCursor: Nullable(Type.String()),
});

export const AuditQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'page size, newest first' }),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'opaque, from `nextCursor`' })),
    targetId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 36, description: 'only entries about this pipeline or token' }),
    ),
    action: Type.Optional(AuditActionSchema),
  },
  { additionalProperties: false },
);

export type CreateTokenBodyT = Static<typeof CreateTokenBody>;

import express, { Router } from 'express';
import { NotFoundError } from '../../common/errors';
import type { TokenService } from '../interfaces/tokenService';
import { actorFrom, jsonTypes, requireJsonBody } from './http';
import { route } from './routing';
import { ROUTES } from './routes';
import type { Validators } from './validation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface TokensRouterDeps {
  tokens: TokenService;
  validators: Validators;
  maxBodyKiB: number;
}

/** /api/v1/tokens: mint (the secret is in that one response), list without secrets, revoke. */
export function createTokensRouter({ tokens, validators, maxBodyKiB }: TokensRouterDeps): Router {
  const router = express.Router();
  const r = ROUTES;
  router.use(
    '/api/v1/tokens',
    requireJsonBody,
    express.json({ type: jsonTypes, limit: maxBodyKiB * 1024, strict: true }),
  );
  router.param('id', (_req, _res, next, id: string) => {
    next(
      UUID.test(id)
        ? undefined
        : new NotFoundError(`no token with id "${id.slice(0, 100)}"`, 'token_not_found'),
    );
  });

  route(router, r.createToken, async (req, res) => {
    const body = validators.body(r.createToken.body, req.body);
    const minted = await tokens.mint(body, actorFrom(res));
    res.status(201).json(minted);
  });

  route(router, r.listTokens, async (req, res) => {
    const q = validators.query(r.listTokens.query, req.query as Record<string, unknown>);
    res.json(await tokens.list(q, actorFrom(res)));
  });

  route(router, r.revokeToken, async (req, res) => {
    await tokens.revoke(String(req.params.id), actorFrom(res));
    res.status(204).end();
  });

  return router;
}

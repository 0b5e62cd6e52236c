import express, { Router } from 'express';
import type { TokenService } from '../interfaces/tokenService';
import { actorFrom, parseId } from './http';
import { route } from './routing';
import { ROUTES } from './routes';
import type { Validators } from './validation';

export interface TokensRouterDeps {
  tokens: TokenService;
  validators: Validators;
}

/** /api/v1/tokens: mint (the secret is in that one response), list without secrets, revoke. */
export function createTokensRouter({ tokens, validators }: TokensRouterDeps): Router {
  const router = express.Router();
  const r = ROUTES;
  router.param('id', parseId('token'));

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

import type { Role } from '@citysport/shared';
import type { ModuleDescriptor } from '../../platform/module';
import type { WechatClient } from '../../platform/wechat';
import type { createTokenService } from '../../platform/auth';
import { createFieldCipher } from '../../platform/crypto-field';
import { rateLimit } from '../../platform/ratelimit';
import { createIdentityService, type IdentityService } from './identity.service';
import { identityRoutes } from './identity.routes';

/** Accounts, login and role grants; the WeChat client and token service come from the app. */
export function identityModule(p: {
  wechat: WechatClient;
  tokens: ReturnType<typeof createTokenService>;
}): ModuleDescriptor<IdentityService> {
  return {
    name: 'identity',
    create: ({ kernel, config, pseudonym, scopeExists }) =>
      createIdentityService({
        clock: kernel.clock,
        wechat: p.wechat,
        tokens: p.tokens,
        cipher: createFieldCipher(config.DATA_KEY),
        pseudonym,
        audit: { audit: kernel.audit, list: kernel.listAudit },
        scopeExists: (role: Role, scope: string) => scopeExists(role, scope),
      }),
    routes: (identity, { config }) => [
      identityRoutes(identity, {
        loginLimiter: rateLimit({ max: config.LOGIN_RATE_PER_IP_PER_MIN, durationMs: 60_000, key: (ctx) => `login:${ctx.ip}` }),
      }),
    ],
  };
}

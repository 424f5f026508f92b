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
    create: ({ kernel, config, pseudonym, scopeExists }) => {
      const service = createIdentityService({
        clock: kernel.clock,
        wechat: p.wechat,
        tokens: p.tokens,
        cipher: createFieldCipher(config.DATA_KEY),
        pseudonym,
        audit: { audit: kernel.audit, list: kernel.listAudit, setActorResolver: kernel.setAuditActorResolver },
        scopeExists: (role: Role, scope: string) => scopeExists(role, scope),
        phoneKeySecret: config.DATA_KEY,
      });
      // the audit log names the person behind every actor id (专人专号)
      kernel.setAuditActorResolver(service.bureau.actorOf);
      return service;
    },
    // reads of others' personal data and exports, audited naming the reader (platform/audit personalDataAudit)
    personalData: {
      'GET /admin/bureau-accounts': { what: 'bureau accounts (name, unit, position, masked phone)' },
    },
    routes: (identity, { config }) => [
      identityRoutes(identity, {
        loginLimiter: rateLimit({ max: config.LOGIN_RATE_PER_IP_PER_MIN, durationMs: 60_000, key: (ctx) => `login:${ctx.ip}` }),
      }),
    ],
  };
}

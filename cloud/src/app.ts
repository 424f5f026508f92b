import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import mongoose from 'mongoose';
import type { Role } from '@citysport/shared';
import { wechatPayCredentialsFrom, type Config } from './platform/config';
import { createWechatPay, type WechatPayCredentials } from './platform/wechatpay';
import type { Logger } from './platform/logger';
import { systemClock, type Clock } from './platform/clock';
import { authenticate, createTokenService, type AuthState } from './platform/auth';
import { errorMiddleware } from './platform/errors';
import { requestContext } from './platform/request-context';
import { perUserOrIp, rateLimit } from './platform/ratelimit';
import { createWechatClient, type WechatClient } from './platform/wechat';
import { createFieldCipher } from './platform/crypto-field';
import { createPseudonymizer } from './platform/pseudonym';
import { engineVersion } from './platform/db/connect';
import { createIdentityService, identityRoutes } from './modules/identity';
import { createVenueService, venueRoutes } from './modules/venue';
import {
  createPaymentService,
  createReconciliation,
  paymentsUnavailable,
  createVoucherService,
  paymentRoutes,
  type PaymentPort,
  type PaymentService,
} from './modules/payment';
import { bookingRoutes, createBookingService, manageRoutes } from './modules/booking';
import { createNotificationService, notificationRoutes } from './modules/notification';
import { createTicketService, ticketRoutes, type TicketService } from './modules/ticket';
import { createTicketSigner } from './platform/ticket-signer';

export interface AppDeps {
  config: Config;
  logger: Logger;
  engineName: string;
  clock?: Clock;
  wechat?: WechatClient;
  /** replaces the payment port (fault-injection tests) */
  payments?: PaymentPort;
  /** the merchant's credentials; default: the files named in config */
  wechatPayCredentials?: WechatPayCredentials;
  /** concurrency-test control runs only: see VenueServiceOptions.controlRunWithoutGuards */
  controlRunWithoutGuards?: boolean;
}

export const API_PREFIX = '/api/v1';

/** Composes platform middleware and module routers; used by the server, function entries and tests. */
export function createApp(deps: AppDeps) {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const tokens = createTokenService(config.JWT_SECRET, config.JWT_TTL_SECONDS, () => clock.now());
  const wechat =
    deps.wechat ??
    createWechatClient({
      apiBase: config.WECHAT_API_BASE,
      appid: config.WECHAT_APPID,
      secret: config.WECHAT_SECRET,
      timeoutMs: config.WECHAT_TIMEOUT_MS,
    });

  const pseudonym = createPseudonymizer(config.PSEUDONYM_SECRET);
  const venues = createVenueService({ clock, controlRunWithoutGuards: deps.controlRunWithoutGuards });
  const identity = createIdentityService({
    clock,
    wechat,
    tokens,
    cipher: createFieldCipher(config.DATA_KEY),
    pseudonym,
    scopeExists: async (role: Role, scope: string) => (role === 'club_admin' ? false : venues.venueExists(scope)),
  });
  const notifications = createNotificationService({ clock, wechat, logger, openidOf: identity.openidOf });
  const vouchers = createVoucherService({ clock, pseudonym, audit: identity.audit, controlRunWithoutGuards: deps.controlRunWithoutGuards });
  const wechatPayClient = (c: WechatPayCredentials) =>
    createWechatPay({ apiBase: config.WECHATPAY_API_BASE, timeoutMs: config.WECHATPAY_TIMEOUT_MS, credentials: c, now: () => clock.now() });
  const credentials = deps.payments ? null : (deps.wechatPayCredentials ?? wechatPayCredentialsFrom(config));
  const paymentService: PaymentService | null = credentials
    ? createPaymentService({
        clock,
        logger,
        pseudonym,
        wechatPay: createWechatPay({
          apiBase: config.WECHATPAY_API_BASE,
          timeoutMs: config.WECHATPAY_TIMEOUT_MS,
          credentials,
          now: () => clock.now(),
        }),
        openidOf: identity.openidOf,
        notifyBase: config.PUBLIC_API_BASE,
        notify: notifications.notify,
        vouchers,
        venueNames: venues.venueNames,
      })
    : null;
  if (!deps.payments && !paymentService)
    logger.warn('WeChat Pay is not configured: paid bookings and refunds are refused (set the WECHATPAY_* variables)');
  const reconciliation =
    paymentService && credentials
      ? createReconciliation({ clock, wechatPay: wechatPayClient(credentials), applyPaidByQuery: paymentService.applyPaidByQuery })
      : null;
  const payments: PaymentPort = deps.payments ?? paymentService?.port ?? paymentsUnavailable();
  // tickets and bookings know each other only through these functions, bound below
  const ticketsRef: { current?: TicketService } = {};
  const bookings = createBookingService({
    admissions: {
      confirmed: async (b) => ticketsRef.current!.issue(b),
      ended: async (bookingId) => ticketsRef.current!.revokeFor(bookingId),
    },
    clock,
    venues,
    payments,
    pseudonym,
    logger,
    holderNames: identity.displayNames,
    notify: notifications.notify,
    audit: identity.audit,
  });
  payments.registerKind('booking', {
    onPaid: ({ refId }) => bookings.confirmPaid(refId),
    onRefundRequested: async (e) => void (await bookings.cancel(e.ownerId, e.refId, e.reason)),
  });
  const tickets = createTicketService({
    clock,
    signer: createTicketSigner(config.TICKET_KEY_SEEDS),
    pseudonym,
    displayNames: identity.displayNames,
    markBookingUsed: bookings.markUsed,
    controlRunWithoutGuards: deps.controlRunWithoutGuards,
  });
  ticketsRef.current = tickets;

  const app = new Koa<AuthState>();
  app.proxy = process.env.TRUST_PROXY === 'true';

  const api = new Router<AuthState>({ prefix: API_PREFIX });
  const started = Date.now();
  let cachedVersion: string | undefined;
  api.get('/health', async (ctx) => {
    const ok = mongoose.connection.readyState === 1;
    if (ok && !cachedVersion) cachedVersion = await engineVersion();
    ctx.status = ok ? 200 : 503;
    ctx.body = {
      ok,
      engine: { name: deps.engineName, version: cachedVersion ?? 'unknown' },
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
    };
  });

  const loginLimiter = rateLimit({ max: config.LOGIN_RATE_PER_IP_PER_MIN, durationMs: 60_000, key: (ctx) => `login:${ctx.ip}` });
  const userLimiter = rateLimit({
    max: config.USER_RATE_PER_MIN,
    durationMs: 60_000,
    key: perUserOrIp(`${API_PREFIX}/payments/wechat/`),
  });

  const routers = [
    identityRoutes(identity, { loginLimiter }),
    venueRoutes(venues),
    bookingRoutes(bookings),
    manageRoutes(bookings, venues, { grantsOf: identity.grantsOf, scopesOf: (userId) => identity.scopesOf(userId, ['venue_manager']) }),
    notificationRoutes(notifications),
    ticketRoutes(tickets, { grantsOf: identity.grantsOf }),
    ...(paymentService && reconciliation
      ? [
          paymentRoutes(paymentService, vouchers, reconciliation, {
            grantsOf: identity.grantsOf,
            refundRequested: { booking: async (userId, bookingId, reason) => void (await bookings.cancel(userId, bookingId, reason)) },
          }),
        ]
      : []),
  ];
  for (const router of routers) {
    api.use(router.routes(), router.allowedMethods({ throw: true }));
  }

  app.use(requestContext(logger));
  app.use(errorMiddleware);
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: config.BODY_LIMIT,
      parsedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
      encoding: 'utf-8',
    }),
  );
  app.use(authenticate(tokens));
  app.use(userLimiter);
  app.use(api.routes());
  app.use(api.allowedMethods({ throw: true }));

  return {
    app,
    services: { identity, venues, bookings, notifications, payment: paymentService, vouchers, reconciliation, tickets },
    payments,
    tokens,
    clock,
  };
}

export type CloudApp = ReturnType<typeof createApp>;

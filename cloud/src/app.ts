import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import mongoose from 'mongoose';
import { wechatPayCredentialsFrom, type Config } from './platform/config';
import type { WechatPayCredentials } from './platform/wechatpay';
import type { Logger } from './platform/logger';
import { systemClock, type Clock } from './platform/clock';
import { authenticate, createTokenService, type AuthState } from './platform/auth';
import { errorMiddleware } from './platform/errors';
import { personalDataAudit } from './platform/audit';
import { requestContext } from './platform/request-context';
import { perUserOrIp, rateLimit } from './platform/ratelimit';
import { createWechatClient, type WechatClient } from './platform/wechat';
import { createPseudonymizer } from './platform/pseudonym';
import { engineVersion } from './platform/db/connect';
import { createKernel, type CrashSwitch, type Kernel } from './platform/kernel';
import type { JobSpec } from './platform/jobs';
import type { ModuleDeps, ModuleDescriptor, ScopeCheck } from './platform/module';
import type { Role } from '@citysport/shared';
import { identityModule, type IdentityService } from './modules/identity';
import { venueModule, type VenueService } from './modules/venue';
import { paymentModule, type OrderKind, type OrderKindHandlers, type PaymentParts, type PaymentPort } from './modules/payment';
import { bookingModule, type BookingService } from './modules/booking';
import { notificationModule, type NotificationService } from './modules/notification';
import { datacentreModule } from './modules/datacentre';
import { ticketModule, type TicketService, type TicketSourceHandlers } from './modules/ticket';
import { eventModule, type EventService } from './modules/event';
import { guidanceModule, type GuidanceParts } from './modules/guidance';
import { fitnessModule, type FitnessService } from './modules/fitness';
import { clubModule, type ClubService } from './modules/club';
import { gateModule, type GateParts } from './modules/gate';
import { recommendationModule } from './modules/recommendation';
import type { RecommendationRegistry } from './platform/recommend';
import { reviewModule, type ReviewService } from './modules/review';
import { courseModule, type CourseService } from './modules/course';
import { feedbackModule, type FeedbackService } from './modules/feedback';

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
  /** CONTROL RUNS ONLY (concurrency tests): the kernel's unguarded capacity and transitions (see KernelOptions) */
  controlRunWithoutGuards?: boolean;
  /** crash tests only: injected crashes between the steps of multi-step writes */
  crashes?: CrashSwitch;
  /** more modules after the built-in ones (tests register a tiny one through the same list) */
  extraModules?: AppModule[];
}

export const API_PREFIX = '/api/v1';

/** A module as this app composes it: payment's and ticket's handler types filled in. */
export type AppModule = ModuleDescriptor<any, OrderKindHandlers, TicketSourceHandlers>;

/**
 * Composes platform middleware and the modules; used by the server, function entries and tests.
 * Modules are descriptors in one list (ARCHITECTURE.md, "Module descriptors"): adding a domain
 * adds one entry to `modules` below and touches nothing else here.
 */
export function createApp(deps: AppDeps) {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const kernel: Kernel = createKernel({ clock, logger, unguardedForControlRun: deps.controlRunWithoutGuards, crashes: deps.crashes });
  const tokens = createTokenService(config.JWT_SECRET, config.JWT_TTL_SECONDS, () => clock.now());
  const wechat =
    deps.wechat ??
    createWechatClient({
      apiBase: config.WECHAT_API_BASE,
      appid: config.WECHAT_APPID,
      secret: config.WECHAT_SECRET,
      timeoutMs: config.WECHAT_TIMEOUT_MS,
      secCheckTimeoutMs: config.WECHAT_SECCHECK_TIMEOUT_MS,
    });
  // the one list: order matters only in that a module uses modules listed before it
  const modules: AppModule[] = [
    identityModule({ wechat, tokens }),
    venueModule,
    notificationModule({
      wechat,
      templateIds: config.WECHAT_SUBSCRIBE_TEMPLATES ?? (config.WECHAT_MOCK ? 'names' : {}),
    }),
    paymentModule({
      credentials: deps.payments ? null : (deps.wechatPayCredentials ?? wechatPayCredentialsFrom(config)),
      portOverride: deps.payments,
    }),
    ticketModule,
    bookingModule,
    eventModule,
    guidanceModule,
    fitnessModule,
    clubModule,
    reviewModule({ wechat }),
    courseModule,
    feedbackModule({ wechat }),
    gateModule,
    datacentreModule,
    recommendationModule,
    ...(deps.extraModules ?? []),
  ];

  const services = new Map<string, unknown>();
  const find = <T>(name: string) => services.get(name) as T | undefined;
  // each scoped role's scope check, from the module that owns it (filled once every module is created)
  const roleScopes = new Map<Role, ScopeCheck>();
  const moduleDeps: ModuleDeps = {
    kernel,
    config,
    pseudonym: createPseudonymizer(config.PSEUDONYM_SECRET, config.PSEUDONYM_EPOCH),
    use: <T>(name: string) => {
      if (!services.has(name)) throw new Error(`module ${name} is not created (yet)`);
      return services.get(name) as T;
    },
    find,
    scopeExists: async (role, scope) => (await roleScopes.get(role)?.(scope)) ?? false,
  };
  for (const m of modules) services.set(m.name, m.create(moduleDeps));
  for (const m of modules) {
    for (const [role, check] of Object.entries(m.roleScopes?.(services.get(m.name), moduleDeps) ?? {})) {
      if (roleScopes.has(role as Role)) throw new Error(`two modules own the scopes of role ${role}`);
      roleScopes.set(role as Role, check!);
    }
  }

  const payments = moduleDeps.use<PaymentParts>('payment').port;
  const tickets = moduleDeps.use<TicketService>('ticket');
  for (const m of modules) {
    const service = services.get(m.name);
    for (const [kind, handlers] of Object.entries(m.orderKinds?.(service, moduleDeps) ?? {})) {
      payments.registerKind(kind as OrderKind, handlers);
    }
    for (const [kind, handlers] of Object.entries(m.ticketSources?.(service, moduleDeps) ?? {})) tickets.registerSource(kind, handlers);
    const plugin = m.recommendations?.(service, moduleDeps);
    if (plugin) find<RecommendationRegistry>('recommendation')?.register(m.name, plugin);
  }
  // review sources and targets (issue 15): every module that owns a consumption fact or a reviewable thing
  const reviews = moduleDeps.find<ReviewService>('review');
  for (const m of modules) {
    const service = services.get(m.name);
    for (const [kind, source] of Object.entries(m.reviewSources?.(service, moduleDeps) ?? {})) reviews?.registerSource(kind, source);
    for (const [kind, target] of Object.entries(m.reviewTargets?.(service, moduleDeps) ?? {})) reviews?.registerTarget(kind, target);
  }
  const jobs: JobSpec[] = modules.flatMap((m) => m.jobs?.(services.get(m.name), moduleDeps) ?? []);

  const app = new Koa<AuthState>();
  app.proxy = process.env.TRUST_PROXY === 'true';

  const api = new Router<AuthState>({ prefix: API_PREFIX });
  const started = clock.now().getTime();
  let cachedVersion: string | undefined;
  api.get('/health', async (ctx) => {
    const ok = mongoose.connection.readyState === 1;
    if (ok && !cachedVersion) cachedVersion = await engineVersion();
    ctx.status = ok ? 200 : 503;
    ctx.body = {
      ok,
      engine: { name: deps.engineName, version: cachedVersion ?? 'unknown' },
      uptimeSeconds: Math.round((clock.now().getTime() - started) / 1000),
    };
  });

  const userLimiter = rateLimit({
    max: config.USER_RATE_PER_MIN,
    durationMs: 60_000,
    key: perUserOrIp(`${API_PREFIX}/payments/wechat/`),
    batched: true, // reserves a share of the shared window per round trip (platform/ratelimit.ts)
  });

  for (const m of modules) {
    for (const router of m.routes?.(services.get(m.name), moduleDeps) ?? [])
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
  // a closed bureau account's tokens are refused (identity's session check)
  app.use(authenticate(tokens, () => moduleDeps.find<IdentityService>('identity')?.sessionCheck));
  app.use(userLimiter);
  // reads of personal data and exports: audited naming the reader (专人专号; module descriptors' personalData)
  const personalRoutes = new Map(
    modules.flatMap((m) =>
      Object.entries(m.personalData ?? {}).map(([key, v]) => {
        const [method, path] = key.split(' ');
        return [`${method} ${API_PREFIX}${path}`, v] as const;
      }),
    ),
  );
  app.use(personalDataAudit(kernel.audit, personalRoutes, API_PREFIX));
  app.use(api.routes());
  app.use(api.allowedMethods({ throw: true }));

  const paymentParts = moduleDeps.use<PaymentParts>('payment');
  return {
    app,
    kernel,
    jobs,
    /** the personal-data routes (audited reads and exports), `METHOD /path` without the prefix */
    personalDataRoutes: [...personalRoutes.entries()].map(([k, v]) => ({ route: k.replace(` ${API_PREFIX}`, ' '), ...v })),
    /** every route of every module, prefixed (the fuzz and authorization matrix walks them) */
    routes: api.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((method) => ({ method, path: String(layer.path) }))),
    /** every module's service by name (tests and tools) */
    modules: services,
    services: {
      /** the app's clock: seeds date demo data from it, so a test's manual clock sees it in the future */
      clock,
      identity: moduleDeps.use<IdentityService>('identity'),
      venues: moduleDeps.use<VenueService>('venue'),
      bookings: moduleDeps.use<BookingService>('booking'),
      notifications: moduleDeps.use<NotificationService>('notification'),
      payment: paymentParts.service,
      vouchers: paymentParts.vouchers,
      reconciliation: paymentParts.reconciliation,
      tickets,
      events: moduleDeps.use<EventService>('event'),
      guidance: moduleDeps.use<GuidanceParts>('guidance'),
      fitness: moduleDeps.use<FitnessService>('fitness'),
      clubs: moduleDeps.use<ClubService>('club'),
      gates: moduleDeps.use<GateParts>('gate'),
      reviews: moduleDeps.use<ReviewService>('review'),
      courses: moduleDeps.use<CourseService>('course'),
      feedback: moduleDeps.use<FeedbackService>('feedback'),
    },
    payments,
    tokens,
    clock,
  };
}

export type CloudApp = ReturnType<typeof createApp>;

import type Router from '@koa/router';
import type { Config } from './config';
import type { Kernel } from './kernel';
import type { JobSpec } from './jobs';
import type { Pseudonymizer } from './pseudonym';
import type { RecommendationPlugin } from './recommend';
import type { Role } from '@citysport/shared';

/**
 * What a module gets when it is created: the kernel, the platform pieces, and other modules'
 * services by name (`use('venue')`), in the order the descriptors are listed in app.ts.
 */
export interface ModuleDeps {
  kernel: Kernel;
  config: Config;
  /** the data-centre pseudonym of a user (HMAC) */
  pseudonym: Pseudonymizer;
  /** another module's service (created earlier in the list); throws when it does not exist */
  use<T>(name: string): T;
  /** another module's service, or undefined when that module is not part of this app */
  find<T>(name: string): T | undefined;
  /**
   * Does this scope exist for this scoped role? Answered by the module that owns the role's scopes
   * (its descriptor's `roleScopes`, collected by the app once every module is created); false
   * when no module owns the role.
   */
  scopeExists(role: Role, scope: string): Promise<boolean>;
}

/** What a review is about: a venue, course, event, club, instructor (shared REVIEW_TARGET_KINDS). */
export interface ReviewTargetRef {
  kind: string;
  id: string;
}

/**
 * A review source (消费评价, issue 15): the module that owns a consumption fact (a used booking, an
 * attended registration, session or activity) says whether `sourceId` is this user's consumed
 * fact and what it lets them review; null when it is not theirs or not consumed (yet).
 */
export type ReviewSource = (userId: string, sourceId: string) => Promise<{ target: ReviewTargetRef } | null>;

/** A provider as the credit page lists it. */
export interface ReviewProvider {
  kind: 'venue' | 'organiser' | 'club' | 'instructor' | 'course_provider';
  id: string;
  name: string;
}

/** A review target kind: its names, its provider, who replies for it, and the provider's cancellations. */
export interface ReviewTarget {
  /** target id → display name (moderation page) and its provider (the credit page groups by it); unknown ids are left out */
  describe(targetIds: string[]): Promise<Map<string, { name: string; provider: ReviewProvider }>>;
  /** may this user reply for the provider of this target */
  canReply(userId: string, targetId: string): Promise<boolean>;
  /** cancellations by the provider side, per provider (credit page); providers without reviews are listed too */
  providerCancellations?(): Promise<(ReviewProvider & { count: number })[]>;
}
/**
 * A route that hands out other people's personal data (names, phones, ID numbers, participant and
 * member lists, results) or exports: every 2xx answer is audited naming the reader (platform/audit
 * `personalDataAudit`). `exportOnly`: audited only when it answers a file (xlsx, NDJSON).
 */
export interface PersonalDataRoute {
  what: string;
  exportOnly?: boolean;
  /** audited only when the answer holds others' data (a route that answers the owner too), e.g. `(b) => 'sender' in b.feedback` */
  when?: (body: unknown) => boolean;
}

/** A scoped role's scope check: does `scope` (a venue, club, station, organisation id) exist? */
export type ScopeCheck = (scope: string) => Promise<boolean>;

/**
 * A module descriptor (ARCHITECTURE.md, "Module descriptors"): app.ts loops over a list of these.
 * `OrderHandlers` and `SourceHandlers` are payment's and ticket's handler types (platform knows
 * no module, so they are parameters).
 */
export interface ModuleDescriptor<S = any, OrderHandlers = never, SourceHandlers = never> {
  name: string;
  create(deps: ModuleDeps): S;
  routes?(service: S, deps: ModuleDeps): Router<any>[];
  jobs?(service: S, deps: ModuleDeps): JobSpec[];
  /** order kinds this module sells: payment calls their handlers */
  orderKinds?(service: S, deps: ModuleDeps): Record<string, OrderHandlers>;
  /** ticket sources this module issues tickets for: ticket calls their handlers */
  ticketSources?(service: S, deps: ModuleDeps): Record<string, SourceHandlers>;
  /** 为你推荐: what this module knows of the citizen and its candidates (platform/recommend.ts) */
  recommendations?(service: S, deps: ModuleDeps): RecommendationPlugin;
  /** consumption facts this module vouches for: the review module asks them whether a review is allowed */
  reviewSources?(service: S, deps: ModuleDeps): Record<string, ReviewSource>;
  /** review target kinds this module provides (venue, event, club, …) */
  reviewTargets?(service: S, deps: ModuleDeps): Record<string, ReviewTarget>;
  /** its routes that return personal data or exports, keyed `METHOD /path` as routed (without /api/v1) */
  personalData?: Record<string, PersonalDataRoute>;
  /** the scoped roles whose scopes this module owns (identity asks it when a role is granted) */
  roleScopes?(service: S, deps: ModuleDeps): Partial<Record<Role, ScopeCheck>>;
}

import type Router from '@koa/router';
import type { Config } from './config';
import type { Kernel } from './kernel';
import type { JobSpec } from './jobs';
import type { Pseudonymizer } from './pseudonym';
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
  /** the scoped roles whose scopes this module owns (identity asks it when a role is granted) */
  roleScopes?(service: S, deps: ModuleDeps): Partial<Record<Role, ScopeCheck>>;
}

import type { Clock } from './clock';
import type { Logger } from './logger';
import { createCapacity, type Capacity } from './capacity';
import { createLimits, type Limits } from './limits';
import { createIdempotency, type ClaimOnce } from './idempotency';
import { createAudit, type Audit } from './audit';
import { createEffects, type Effects } from './effects';
import { createTransition, type Transition } from './transition';
import { cursorPage } from './paging';
import { InjectedCrash, isInjectedCrash, noCrashes, type CrashPoint } from './crash';

/**
 * Tests only: names the one point where the next matching step "crashes" (see crash.ts).
 * `arm('effects:booking:tickets:before')`; the first time that point is reached it throws and disarms.
 */
export class CrashSwitch {
  private armed: string | null = null;
  readonly hits: string[] = [];
  arm(point: string) {
    this.armed = point;
  }
  disarm() {
    this.armed = null;
  }
  readonly check: CrashPoint = (point) => {
    if (this.armed !== point) return;
    this.armed = null;
    this.hits.push(point);
    throw new InjectedCrash(point);
  };
}

export interface KernelOptions {
  clock: Clock;
  logger: Logger;
  /**
   * CONTROL RUNS ONLY (concurrency tests): capacity takes and guarded transitions read, then
   * write, so the tests can show the races the guards prevent. The one switch in the code base.
   */
  unguardedForControlRun?: boolean;
  /** tests only: injected crashes between the steps of multi-step writes */
  crashes?: CrashSwitch;
}

/** The mechanics every domain reuses (ARCHITECTURE.md, "The kernel"), created once per app and injected into modules. */
export interface Kernel {
  clock: Clock;
  logger: Logger;
  capacity: Capacity;
  limits: Limits;
  claimOnce: ClaimOnce;
  /** has this idempotency key been used (any request)? a cheap check before validation */
  idempotencySeen: (scope: string, userId: string, key: string) => Promise<boolean>;
  audit: Audit['audit'];
  listAudit: Audit['list'];
  effects: Effects;
  transition: Transition;
  cursorPage: typeof cursorPage;
  /** a named point between two steps of a multi-step write (a no-op outside crash tests) */
  crashPoint: CrashPoint;
  isInjectedCrash: typeof isInjectedCrash;
}

export function createKernel(opts: KernelOptions): Kernel {
  const crashPoint = opts.crashes?.check ?? noCrashes;
  const unguarded = opts.unguardedForControlRun === true;
  const transition = createTransition({ unguarded });
  const audit = createAudit(opts.clock);
  const idempotency = createIdempotency(opts.clock);
  return {
    clock: opts.clock,
    logger: opts.logger,
    capacity: createCapacity({ unguarded, crashPoint }),
    limits: createLimits({ crashPoint }),
    claimOnce: idempotency.claimOnce,
    idempotencySeen: idempotency.seen,
    audit: audit.audit,
    listAudit: audit.list,
    effects: createEffects({ clock: opts.clock, logger: opts.logger, transition, crashPoint }),
    transition,
    cursorPage,
    crashPoint,
    isInjectedCrash,
  };
}

import type { Clock } from './clock';
import type { Logger } from './logger';
import { createCapacity, type Capacity } from './capacity';
import { createLimits, type Limits } from './limits';
import { createIdempotency, type ClaimOnce } from './idempotency';
import { createAudit, type Audit } from './audit';
import { createEffects, type Effects } from './effects';
import { createTransition, type Transition } from './transition';
import { cursorPage } from './paging';
import { InjectedCrash, isInjectedCrash, noCrashes, noPauses, type CrashPoint, type PausePoint } from './crash';

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

  private held = new Map<string, { reached: () => void; released: Promise<void> }>();
  /**
   * Holds the next request that reaches `point` until `release()`; `reached` settles once one
   * is waiting there, so a test can run another request in between at a known moment.
   */
  holdAt(point: string): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const released = new Promise<void>((r) => (release = r));
    this.held.set(point, { reached, released });
    return { reached: reachedP, release };
  }
  readonly pause: PausePoint = (point) => {
    const h = this.held.get(point);
    if (!h) return undefined;
    this.held.delete(point);
    h.reached();
    return h.released;
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
  /** identity names the persons behind actor ids in the audit log (专人专号) */
  setAuditActorResolver: Audit['setActorResolver'];
  effects: Effects;
  transition: Transition;
  cursorPage: typeof cursorPage;
  /** a named point between two steps of a multi-step write (a no-op outside crash tests) */
  crashPoint: CrashPoint;
  /** a named point a race test can hold a request at (`await` what it answers; nothing outside tests) */
  pausePoint: PausePoint;
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
    setAuditActorResolver: audit.setActorResolver,
    effects: createEffects({ clock: opts.clock, logger: opts.logger, transition, crashPoint }),
    transition,
    cursorPage,
    crashPoint,
    pausePoint: opts.crashes?.pause ?? noPauses,
    isInjectedCrash,
  };
}

/**
 * Attacks on checked effect steps (platform/effects.ts `checks`), the venue's bans in force kept
 * per instance (booking.bans.ts `bannedUntil`) and the verified-token cache (platform/auth.ts):
 * a process that dies between any two writes, a sweep racing a transition, a read racing a ban.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { createKernel, CrashSwitch } from '../../cloud/src/platform/kernel';
import { createLogger } from '../../cloud/src/platform/logger';
import { authenticate, createTokenService } from '../../cloud/src/platform/auth';
import { Ban } from '../../cloud/src/modules/booking/booking.model';
import { grant, startTestStack, type TestStack } from '../support/stack';
import { createTestVenue, slotsOf } from '../support/venue-fixture';
import { eventInput, idNumber, openEvent, organiser, participant } from '../support/event-fixture';

const START = new Date('2026-11-23T01:00:00Z'); // Monday 09:00 in Shanghai
const TOMORROW = '2026-11-24';
const clock = new ManualClock(START);
const crashes = new CrashSwitch();
let stack: TestStack;
const db = () => mongoose.connection.db!;
const oid = (id: string) => new mongoose.Types.ObjectId(id);

beforeAll(async () => {
  stack = await startTestStack('attack-effects', { clock, appDeps: { crashes } });
}, 120_000);
afterAll(() => stack.stop());
afterEach(() => {
  crashes.disarm();
  jest.restoreAllMocks();
  clock.set(START);
});

const validTickets = (sourceId: string) => db().collection('tickets').countDocuments({ 'source.id': sourceId, status: 'valid' });

/** A booking of `slotIds` whose process crashed right before its tickets: the 500, and the booking it left. */
async function bookingCrashedBeforeTickets(login: string, body: Record<string, unknown>) {
  const user = await stack.login(login);
  crashes.arm('effects:booking:tickets.issue:before');
  expect((await stack.request('POST', '/bookings', { token: user.token, body })).status).toBe(500);
  const left = await db()
    .collection('bookings')
    .findOne({ userId: oid(user.userId) }, { sort: { _id: -1 } });
  return { user, left };
}

describe('a checked tickets.issue that never ran, carried over into a cancel', () => {
  // Was a defect (47ec585): the cancel's finish left the carried-over checked tickets.issue to the
  // sweeper and revoked nothing; the sweeper then issued valid tickets for the cancelled booking.
  test('booking: confirmed, crash before its tickets, cancelled: the sweepers issue no valid ticket', async () => {
    const v = await createTestVenue(stack, { name: '未出票取消馆' });
    const [s] = await slotsOf(v.sessionId, TOMORROW);
    const { user, left } = await bookingCrashedBeforeTickets('ae-cancel-before-issue', { slotIds: [s.id], quantity: 2 });
    expect(left).toMatchObject({ status: 'confirmed', pending: ['tickets.issue', 'event.booked'] });
    const id = String(left!._id);

    const cancelled = await stack.request('POST', `/bookings/${id}/cancel`, { token: user.token, body: {} });
    expect([cancelled.status, cancelled.body.booking?.status]).toEqual([200, 'cancelled']);
    for (let i = 0; i < 2; i++) {
      clock.advance(3 * 60_000);
      await stack.cloud.services.bookings.healCrashed();
    }
    expect(await validTickets(id)).toBe(0);
    expect(await db().collection('bookings').findOne({ _id: left!._id })).toMatchObject({ status: 'cancelled', pending: [] });
    // its event was still recorded (the other carried-over checked step is not lost)
    expect(
      await db()
        .collection('outbox')
        .countDocuments({ eventId: `booking.booked:${id}` }),
    ).toBe(1);
  });

  test('booking: the same crash, not cancelled: the sweeper still issues every seat (the guard refuses only ended bookings)', async () => {
    const v = await createTestVenue(stack, { name: '未出票保留馆' });
    const [s] = await slotsOf(v.sessionId, TOMORROW);
    const { left } = await bookingCrashedBeforeTickets('ae-keep-before-issue', { slotIds: [s.id], quantity: 2 });
    clock.advance(3 * 60_000);
    await stack.cloud.services.bookings.healCrashed();
    expect(await validTickets(String(left!._id))).toBe(2);
    expect(await db().collection('bookings').findOne({ _id: left!._id })).toMatchObject({ status: 'confirmed', pending: [] });
  });

  test('booking: the same crash, then part cancelled: the sweeper issues the tickets for the part kept', async () => {
    const v = await createTestVenue(stack, { name: '未出票部分取消馆' });
    const [s1, s2] = await slotsOf(v.courtId, TOMORROW);
    const { user, left } = await bookingCrashedBeforeTickets('ae-part-before-issue', { slotIds: [s1.id, s2.id] });
    const id = String(left!._id);
    const part = await stack.request('POST', `/bookings/${id}/cancel`, { token: user.token, body: { slotIds: [s2.id] } });
    expect([part.status, part.body.booking?.status]).toEqual([200, 'confirmed']);
    clock.advance(3 * 60_000);
    await stack.cloud.services.bookings.healCrashed();
    const issued = await db().collection('tickets').find({ 'source.id': id, status: 'valid' }).toArray();
    const kept = (await db().collection('bookings').findOne({ _id: left!._id }))!;
    expect([kept.startAt, kept.endAt.getTime() < left!.endAt.getTime()]).toEqual([s1.startAt, true]);
    expect(issued.map((t) => [t.startAt, t.endAt])).toEqual([[kept.startAt, kept.endAt]]);
  });

  test('event registration: confirmed, crash before its ticket, cancelled: the healer issues no valid ticket', async () => {
    clock.set(new Date('2027-01-10T02:00:00Z'));
    const org = await organiser(stack, 'ae-org');
    const runner = await stack.login('ae-runner');
    const ev = await openEvent(stack, org, eventInput({}, [{ name: '免费组', capacity: 10, feeFen: 0, eligibility: { minAge: 18 } }]));
    crashes.arm('effects:event_registration:tickets.issue:before');
    const body = {
      groupId: ev.groups[0].id,
      participant: participant(idNumber('1990-05-01', 41)),
      healthPledge: true,
      pledgeVersion: 'v1',
    };
    expect((await stack.request('POST', `/events/${ev.id}/registrations`, { token: runner.token, body })).status).toBe(500);
    const left = await db()
      .collection('event_registrations')
      .findOne({ userId: oid(runner.userId) }, { sort: { _id: -1 } });
    expect(left).toMatchObject({ status: 'confirmed', pending: ['tickets.issue', 'event.registered'] });
    const id = String(left!._id);

    const cancelled = await stack.request('POST', `/registrations/${id}/cancel`, { token: runner.token, body: {} });
    expect(cancelled.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      clock.advance(3 * 60_000);
      await stack.cloud.jobs.find((j) => j.name === 'event-heal')!.run();
    }
    expect(await validTickets(id)).toBe(0);
    expect(await db().collection('event_registrations').findOne({ _id: left!._id })).toMatchObject({ status: 'cancelled', pending: [] });
  });
});

describe('the sweeper racing a transition that owes the same checked step again', () => {
  // Was a defect (47ec585): the sweeper confirmed a checked step from the document it read, a
  // transition then owed that step again (for its new state: a transfer's new ticket) and died
  // before doing it, and the sweeper's bulk pull removed it: never run, never swept.
  test('a step re-owed while the sweeper confirms it stays pending and is run for the new state', async () => {
    const kernel = createKernel({ clock, logger: createLogger('silent') });
    const docs = () => db().collection<any>('ae_effects');
    const marks = () => db().collection<any>('ae_effect_marks');
    const key = (d: { _id: unknown; round?: number }) => `${d._id}:${d.round ?? 0}`;
    let during: (() => Promise<void>) | null = null;
    kernel.effects.define<{ _id: unknown; round?: number }>('ae-race', {
      collection: 'ae_effects',
      staleMs: 60_000,
      steps: {
        // like tickets.issue: what it does depends on the document's state (the ticket's source id)
        mark: async (d) => void (await marks().updateOne({ _id: key(d) }, { $set: { at: 1 } }, { upsert: true })),
      },
      checks: {
        mark: async (batch) => {
          const found = await marks()
            .find({ _id: { $in: batch.map(key) } })
            .toArray();
          const hook = during;
          during = null;
          if (hook) await hook(); // another request commits its transition between the sweeper's read and its pull
          const done = new Set(found.map((f) => f._id as string));
          return new Set(batch.filter((d) => done.has(key(d))).map((d) => String(d._id)));
        },
      },
    });
    const { insertedId: id } = await docs().insertOne({ status: 'new', round: 1 });
    const won = await kernel.effects.transition('ae-race', { _id: id, status: 'new' }, { status: 'done' }, ['mark']);
    expect(await kernel.effects.finish('ae-race', won!)).toEqual([]);
    expect(await marks().countDocuments({ _id: `${id}:1` })).toBe(1);

    clock.advance(2 * 60_000);
    during = async () => {
      // the transfer-like transition owes `mark` again for round 2, then its process dies (no finish)
      expect(await kernel.effects.transition('ae-race', { _id: id, round: 1 }, { round: 2 }, ['mark'])).not.toBeNull();
    };
    await kernel.effects.sweep('ae-race');
    expect((await docs().findOne({ _id: id }))!.pending).toContain('mark');
    clock.advance(2 * 60_000);
    await kernel.effects.sweep('ae-race');
    expect(await marks().countDocuments({ _id: `${id}:2` })).toBe(1);
    expect((await docs().findOne({ _id: id }))!.pending).toEqual([]);
  });
});

describe("a venue's bans in force, kept per instance", () => {
  const book = (token: string, slotId: string) => stack.request('POST', '/bookings', { token, body: { slotIds: [slotId] } });

  // Was a defect (47ec585): a read of the venue's bans that was on its way when the no-show job
  // banned the user kept its copy (without the ban) for 5 s after the job had cleared it.
  test('a read on its way while the no-show job bans the user does not keep the venue unbanned', async () => {
    const v = await createTestVenue(stack, { name: '禁约竞态馆', rules: { noShowLimit: 1, banDays: 2, checkInGraceMinutes: 15 } });
    const user = await stack.login('ae-ban-race');
    const [first] = await slotsOf(v.courtId, TOMORROW);
    expect((await book(user.token, first.id)).status).toBe(201);
    clock.set(new Date(first.startAt.getTime() + 15 * 60_000));
    const [a] = await slotsOf(v.courtId, '2026-11-26');
    const [b] = await slotsOf(v.courtId, '2026-11-27');

    // the next read of the bans happens now (none yet) but answers only when the test lets it
    let readDone!: () => void;
    const read = new Promise<void>((r) => (readDone = r));
    let releaseRead!: () => void;
    const released = new Promise<void>((r) => (releaseRead = r));
    const find = Ban.find.bind(Ban) as (...args: unknown[]) => { lean: () => Promise<unknown> };
    jest.spyOn(Ban, 'find').mockImplementationOnce(((...args: unknown[]) => {
      const q = find(...args);
      return {
        lean: async () => {
          const rows = await q.lean();
          readDone();
          await released;
          return rows;
        },
      };
    }) as never);
    const early = book(user.token, a.id);
    await read;
    await stack.cloud.services.bookings.markNoShows(); // bans the user (this instance clears its copy)
    expect(
      await db()
        .collection('booking_bans')
        .countDocuments({ userId: oid(user.userId), liftedAt: null }),
    ).toBe(1);
    releaseRead();
    expect((await early).status).toBe(201); // asked before the ban: answered as it read
    const after = await book(user.token, b.id);
    expect([after.status, after.body.error?.code]).toEqual([403, 'BOOKING_BANNED']);
  });

  test('the clock going back re-reads the bans (a copy from later is not trusted); a lifted ban stops at once on this instance', async () => {
    const v = await createTestVenue(stack, { name: '解禁馆', rules: { noShowLimit: 1, banDays: 2, checkInGraceMinutes: 15 } });
    const user = await stack.login('ae-ban-lift');
    const manager = await stack.login('ae-ban-lift-manager');
    await grant(stack, manager.userId, 'venue_manager', v.venueId);
    const [first] = await slotsOf(v.courtId, TOMORROW);
    expect((await book(user.token, first.id)).status).toBe(201);
    const bannedAt = new Date(first.startAt.getTime() + 15 * 60_000);
    clock.set(bannedAt);
    await stack.cloud.services.bookings.markNoShows();
    const until = new Date(bannedAt.getTime() + 2 * 86_400_000);
    // after the ban: the copy read then holds no ban in force
    clock.set(until);
    expect((await book(user.token, (await slotsOf(v.courtId, '2026-11-26'))[6].id)).status).toBe(201);
    // the clock goes back inside the ban: the later copy is not used, the ban holds
    clock.set(new Date(bannedAt.getTime() + 3_600_000));
    const target = await slotsOf(v.courtId, '2026-11-27');
    const refused = await book(user.token, target[3].id);
    expect([refused.status, refused.body.error?.code, refused.body.error?.details?.until]).toEqual([
      403,
      'BOOKING_BANNED',
      until.toISOString(),
    ]);
    const [ban] = (await stack.request('GET', `/manage/venues/${v.venueId}/bans`, { token: manager.token })).body.items;
    expect((await stack.request('POST', `/manage/bans/${ban.id}/lift`, { token: manager.token, body: { reason: '核实' } })).status).toBe(
      200,
    );
    expect((await book(user.token, target[3].id)).status).toBe(201); // within the 5 s: the lift cleared this instance's copy
  });
});

describe('the verified-token cache', () => {
  const SECRET = 'attack-effects-token-secret-0123456789';

  test('a cached token expires exactly when an uncached one does; an altered token is refused after the real one is kept', async () => {
    let nowMs = Date.parse('2026-11-23T01:00:00.000Z');
    const tokens = createTokenService(SECRET, 60, () => new Date(nowMs));
    const { token, expiresAt } = await tokens.sign({ userId: 'u1', roles: ['citizen'] as never });
    expect((await tokens.verify(token)).userId).toBe('u1'); // kept from now on
    nowMs = expiresAt.getTime() - 1;
    expect((await tokens.verify(token)).userId).toBe('u1');
    nowMs = expiresAt.getTime();
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    // and a fresh service (nothing kept) agrees at both instants
    const fresh = createTokenService(SECRET, 60, () => new Date(nowMs));
    await expect(fresh.verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    nowMs = expiresAt.getTime() - 1;
    expect((await fresh.verify(token)).userId).toBe('u1');

    // the same payload under another secret, or a payload swapped under the kept signature
    const [h, p, s] = token.split('.');
    const forged = await createTokenService('another-secret-0123456789-abcdefgh', 60, () => new Date(nowMs)).sign({
      userId: 'u1',
      roles: ['admin'] as never,
    });
    await expect(tokens.verify(forged.token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    const admin = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['admin'] })).toString(
      'base64url',
    );
    await expect(tokens.verify(`${h}.${admin}.${s}`)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  test('the kept claims cannot be changed by one request for the next; the session check runs on every request, kept or not', async () => {
    const tokens = createTokenService(SECRET, 3600);
    const { token } = await tokens.sign({ userId: 'u2', roles: ['citizen'] as never });
    const first = await tokens.verify(token);
    expect(() => (first.roles as string[]).push('admin')).toThrow();
    expect(() => Object.assign(first, { userId: 'someone-else' })).toThrow();
    expect(await tokens.verify(token)).toMatchObject({ userId: 'u2', roles: ['citizen'] });

    let ended = false;
    const checked: string[] = [];
    const mw = authenticate(tokens, () => async (claims) => {
      checked.push(claims.userId);
      if (ended) throw Object.assign(new Error('session ended'), { code: 'SESSION_ENDED' });
    });
    const ctx = () => ({ get: () => `Bearer ${token}`, state: {} as { user?: unknown } });
    const c1 = ctx();
    await mw(c1 as never, async () => {});
    expect(c1.state.user).toMatchObject({ userId: 'u2' });
    ended = true; // e.g. a bureau account closed after its token was kept
    const c2 = ctx();
    await expect(mw(c2 as never, async () => {})).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    expect(c2.state.user).toBeUndefined();
    expect(checked).toEqual(['u2', 'u2']);
  });
});

/**
 * Ticket signing keys rotated by configuration (TICKET_KEY_SEEDS, newest first), and offline scans
 * uploaded out of order or late: three apps on one database, each with its own key list.
 */
import mongoose from 'mongoose';
import { TicketListSchema, decodeTicketCode } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue, daysAhead, slotsOf } from '../support/venue-fixture';

const OLD_SEED = 'test-ticket-seed-old-0000000000000000000000';
const NEW_SEED = 'test-ticket-seed-new-1111111111111111111111';
const clock = new ManualClock(new Date());
/** signs with the old key only (before the rotation) */
let before: TestStack;
/** new key first, old key still listed (during the rotation) */
let rotated: TestStack;
/** old key dropped (after the rotation) */
let after: TestStack;
let venue: Awaited<ReturnType<typeof createTestVenue>>;
let staff: { token: string; userId: string };
let startAt: Date;
let sessionDay: string;

beforeAll(async () => {
  before = await startTestStack('ticketkeys', { clock, env: { TICKET_KEY_SEEDS: OLD_SEED } });
  rotated = await startTestStack('ticketkeys-rotated', {
    clock,
    reuseConnection: true,
    env: { TICKET_KEY_SEEDS: `${NEW_SEED},${OLD_SEED}` },
  });
  after = await startTestStack('ticketkeys-after', { clock, reuseConnection: true, env: { TICKET_KEY_SEEDS: NEW_SEED } });
  venue = await createTestVenue(before, { name: '换钥馆', sessionCapacity: 60, rules: { maxCompanions: 3 } });
  staff = await before.login('keys-gate');
  await grant(before, staff.userId, 'staff', venue.venueId);
  sessionDay = daysAhead(clock, 1);
  startAt = (await slotsOf(venue.sessionId, sessionDay))[0].startAt;
}, 120_000);
afterAll(async () => {
  await after.stop();
  await rotated.stop();
  await before.stop();
});

async function ticketsFor(openid: string, places = 1) {
  const user = await before.login(openid);
  const [session] = await slotsOf(venue.sessionId, sessionDay);
  const res = await before.request('POST', '/bookings', { token: user.token, body: { slotIds: [session.id], quantity: places } });
  expect(res.status).toBe(201);
  const tickets = TicketListSchema.parse((await before.request('GET', '/tickets/mine', { token: user.token })).body).items.filter(
    (t) => t.bookingId === res.body.booking.id,
  );
  expect(tickets).toHaveLength(places);
  return { user, tickets };
}

async function codeFrom(target: TestStack, token: string, ticketId: string): Promise<string> {
  const res = await target.request('GET', `/tickets/${ticketId}/code`, { token });
  expect(res.status).toBe(200);
  return res.body.code as string;
}

const verify = (target: TestStack, code: string) =>
  target.request('POST', '/verifications', { token: staff.token, body: { code, venueId: venue.venueId } });

async function packOf(target: TestStack) {
  const res = await target.request('GET', `/verifications/offline-pack?venueId=${venue.venueId}`, { token: staff.token });
  expect(res.status).toBe(200);
  return res.body as { keys: { kid: string; publicKey: string }[] };
}

const kidOf = (code: string) => decodeTicketCode(code)!.fields.kid;

describe('ticket key rotation', () => {
  test('a code signed by the old key still verifies while the old key is listed; the new key signs; the pack carries both keys', async () => {
    clock.set(new Date(startAt.getTime() - 10 * 60_000));
    const oldKeys = (await packOf(before)).keys;
    expect(oldKeys).toHaveLength(1);
    const { user, tickets } = await ticketsFor('rotation-holder', 2);
    const oldCode = await codeFrom(before, user.token, tickets[0].id);
    expect(kidOf(oldCode)).toBe(oldKeys[0].kid);

    const pack = await packOf(rotated);
    expect(pack.keys).toHaveLength(2);
    expect(pack.keys[1]).toEqual(oldKeys[0]); // the old key, with the same public key, listed after the new one
    expect(pack.keys[0].kid).not.toBe(oldKeys[0].kid);
    const newCode = await codeFrom(rotated, user.token, tickets[1].id);
    expect(kidOf(newCode)).toBe(pack.keys[0].kid);

    const admittedOld = await verify(rotated, oldCode);
    expect([admittedOld.status, admittedOld.body.ticket?.id]).toEqual([200, tickets[0].id]);
    const admittedNew = await verify(rotated, newCode);
    expect([admittedNew.status, admittedNew.body.ticket?.id]).toEqual([200, tickets[1].id]);
  });

  test('once the old key is dropped, its codes are refused (TICKET_INVALID) and nothing is admitted; new-key codes verify', async () => {
    clock.set(new Date(startAt.getTime() - 10 * 60_000));
    const { user, tickets } = await ticketsFor('dropped-key-holder', 2);
    const oldCode = await codeFrom(before, user.token, tickets[0].id);
    const pack = await packOf(after);
    expect(pack.keys.map((k) => k.kid)).toEqual([(await packOf(rotated)).keys[0].kid]);

    const refused = await verify(after, oldCode);
    expect([refused.status, refused.body.error?.code]).toEqual([400, 'TICKET_INVALID']);
    const stored = await mongoose.connection.db!.collection('tickets').findOne({ _id: new mongoose.Types.ObjectId(tickets[0].id) });
    expect(stored!.status).toBe('valid');

    const fresh = await codeFrom(after, user.token, tickets[1].id);
    const ok = await verify(after, fresh);
    expect([ok.status, ok.body.ticket?.id]).toEqual([200, tickets[1].id]);
  });
});

describe('offline scans uploaded out of order and late', () => {
  const sync = (scans: { code: string; nonce: string; scannedAt: string; deviceId: string }[]) =>
    rotated.request('POST', '/verifications/sync', { token: staff.token, body: { venueId: venue.venueId, scans } });
  const ticketDoc = (id: string) => mongoose.connection.db!.collection('tickets').findOne({ _id: new mongoose.Types.ObjectId(id) });

  test('in one upload listed latest first: the earliest scan admits, the later one is the duplicate', async () => {
    clock.set(new Date(startAt.getTime() - 10 * 60_000));
    const { user, tickets } = await ticketsFor('out-of-order-holder');
    const code = await codeFrom(rotated, user.token, tickets[0].id);
    // scanned at two gates 5 s and 25 s after the code was shown, uploaded a minute later
    const shownAt = clock.now().getTime();
    const early = new Date(shownAt + 5_000).toISOString();
    const late = new Date(shownAt + 25_000).toISOString();
    clock.set(new Date(shownAt + 60_000));
    const res = await sync([
      { code, nonce: 'ooo-late-0001', scannedAt: late, deviceId: 'gate-late' },
      { code, nonce: 'ooo-early-001', scannedAt: early, deviceId: 'gate-early' },
    ]);
    expect(res.status).toBe(200);
    const byNonce = Object.fromEntries(res.body.items.map((i: { nonce: string }) => [i.nonce, i]));
    expect(byNonce['ooo-early-001']).toMatchObject({ result: 'admitted', duplicate: false, ticketId: tickets[0].id });
    expect(byNonce['ooo-late-0001']).toMatchObject({ result: 'already_used', duplicate: true, firstUsedAt: early });
    expect(await ticketDoc(tickets[0].id)).toMatchObject({ status: 'used', usedAt: new Date(early), usedDeviceId: 'gate-early' });
  });

  test('in two uploads, the later scan first: one admission, the other flagged duplicate, one admitted event', async () => {
    clock.set(new Date(startAt.getTime() - 10 * 60_000));
    const { user, tickets } = await ticketsFor('two-uploads-holder');
    const code = await codeFrom(rotated, user.token, tickets[0].id);
    // scanned at two gates 5 s and 25 s after the code was shown, uploaded a minute later
    const shownAt = clock.now().getTime();
    const early = new Date(shownAt + 5_000).toISOString();
    const late = new Date(shownAt + 25_000).toISOString();
    clock.set(new Date(shownAt + 60_000));
    const first = await sync([{ code, nonce: 'two-late-0001', scannedAt: late, deviceId: 'gate-b' }]);
    const second = await sync([{ code, nonce: 'two-early-001', scannedAt: early, deviceId: 'gate-a' }]);
    expect(first.body.items[0]).toMatchObject({ result: 'admitted', duplicate: false });
    expect(second.body.items[0]).toMatchObject({ result: 'already_used', duplicate: true, firstUsedAt: late });
    expect(
      await mongoose.connection.db!.collection('outbox').countDocuments({ type: 'ticket.admitted', 'payload.ticketId': tickets[0].id }),
    ).toBe(1);
  });

  test('uploaded exactly 48 h after the scan: admitted; 1 ms later: expired, and the ticket stays valid', async () => {
    clock.set(new Date(startAt.getTime() - 10 * 60_000));
    const scanTime = clock.now();
    const { user, tickets } = await ticketsFor('late-upload-holder', 2);
    const inTime = await codeFrom(rotated, user.token, tickets[0].id);
    const tooLate = await codeFrom(rotated, user.token, tickets[1].id);

    clock.set(new Date(scanTime.getTime() + 48 * 3600_000));
    const edge = await sync([{ code: inTime, nonce: 'late-edge-001', scannedAt: scanTime.toISOString(), deviceId: 'gate-offline' }]);
    expect(edge.body.items[0]).toMatchObject({ result: 'admitted', duplicate: false, ticketId: tickets[0].id });
    expect(await ticketDoc(tickets[0].id)).toMatchObject({ status: 'used', usedAt: scanTime });

    clock.set(new Date(scanTime.getTime() + 48 * 3600_000 + 1));
    const late = await sync([{ code: tooLate, nonce: 'late-over-001', scannedAt: scanTime.toISOString(), deviceId: 'gate-offline' }]);
    expect(late.body.items[0]).toMatchObject({ result: 'expired', duplicate: false, ticketId: tickets[1].id });
    expect(await ticketDoc(tickets[1].id)).toMatchObject({ status: 'valid', usedAt: null });
  });

  test('a device that reuses a nonce for another code: the second scan is recorded too (it happened at the gate), each pair once', async () => {
    clock.set(new Date(startAt.getTime() - 10 * 60_000));
    const { user, tickets } = await ticketsFor('nonce-reuse-holder', 2);
    const [codeA, codeB] = [await codeFrom(rotated, user.token, tickets[0].id), await codeFrom(rotated, user.token, tickets[1].id)];
    const at = clock.now().toISOString();
    const a = await sync([{ code: codeA, nonce: 'reused-nonce-01', scannedAt: at, deviceId: 'gate-buggy' }]);
    expect(a.body.items[0]).toMatchObject({ result: 'admitted', ticketId: tickets[0].id });
    const b = await sync([{ code: codeB, nonce: 'reused-nonce-01', scannedAt: at, deviceId: 'gate-buggy' }]);
    expect(b.body.items[0]).toMatchObject({ nonce: 'reused-nonce-01', result: 'admitted', duplicate: false, ticketId: tickets[1].id });
    expect(await ticketDoc(tickets[1].id)).toMatchObject({ status: 'used', usedDeviceId: 'gate-buggy' });
    // re-uploads of either pair answer as before and store nothing new
    const again = await sync([
      { code: codeB, nonce: 'reused-nonce-01', scannedAt: at, deviceId: 'gate-buggy' },
      { code: codeA, nonce: 'reused-nonce-01', scannedAt: at, deviceId: 'gate-buggy' },
    ]);
    expect(again.body.items.map((i: { ticketId: string; result: string }) => [i.ticketId, i.result])).toEqual([
      [tickets[1].id, 'admitted'],
      [tickets[0].id, 'admitted'],
    ]);
    const stored = await mongoose.connection
      .db!.collection('verifications')
      .countDocuments({ ticketId: { $in: tickets.map((t) => new mongoose.Types.ObjectId(t.id)) } });
    expect(stored).toBe(2);
  });
});

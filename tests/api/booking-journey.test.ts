/**
 * The venue-booking journey (issue 10): true prices, short gate codes, partial cancel with exact
 * pro-rata refunds, ticket passing, the 候补 waitlist (200 waiting, 10 places freed at once) and
 * release reminders — over HTTP against the real engine, with the WeChat Pay stand-in.
 */
import mongoose from 'mongoose';
import { SHORT_CODE_TRIES_PER_MIN, TICKET_STEP_SECONDS, priceLine, shanghaiTime } from '@citysport/shared';
import { ManualClock } from '../../cloud/src/platform/clock';
import { createJobRunner } from '../../cloud/src/platform/jobs';
import { createLogger } from '../../cloud/src/platform/logger';
import { rateLimitCollectionOf } from '../../cloud/src/platform/ratelimit';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue, daysAhead, remainingOf, slotsOf } from '../support/venue-fixture';
import { orderOf, payAndConfirm, refundsAtWechat, until } from '../support/pay';

const clock = new ManualClock(new Date());
let stack: TestStack;
let admin: { token: string; userId: string };
let venue: Awaited<ReturnType<typeof createTestVenue>>;
let other: Awaited<ReturnType<typeof createTestVenue>>;
let day: string;

beforeAll(async () => {
  stack = await startTestStack('journey', { clock, wechatPay: { signMode: 'platform_certificate' } });
  admin = await stack.login('journey-admin');
  await grant(stack, admin.userId, 'admin');
  venue = await createTestVenue(stack, { name: '旅程馆', courtPriceFen: 2500, sessionPriceFen: 3000, sessionCapacity: 10 });
  other = await createTestVenue(stack, { name: '隔壁旅程馆' });
  day = daysAhead(clock, 1);
}, 120_000);
afterAll(() => stack.stop());

const db = () => mongoose.connection.db!;
const jobOf = (name: string) => stack.cloud.jobs.find((j) => j.name === name)!;

async function consent(token: string, templateId: string, times = 1) {
  for (let i = 0; i < times; i++)
    expect(
      (await stack.request('POST', '/notifications/subscriptions', { token, body: { templateIds: [templateId], accepted: true } })).status,
    ).toBe(204);
}

// ---------- true prices ----------
test('a mixed venue shows each sport’s real range and its free hours; the badge only where the rule is met', async () => {
  const { venues } = stack.cloud.services;
  const id = await venues.createVenue({
    name: '混合价馆',
    district: '姑苏区',
    address: '测试路2号',
    location: { lat: 31.29, lng: 120.58 },
    openHours: { open: '08:00', close: '22:00' },
    freeOrLowFee: true, // the old stored flag: no longer what the badge reads
  });
  const hourly = (weekdays: number[], from: number, to: number, priceFen: number) =>
    Array.from({ length: to - from }, (_, i) => ({
      weekdays,
      start: `${String(from + i).padStart(2, '0')}:00`,
      end: `${String(from + i + 1).padStart(2, '0')}:00`,
      priceFen,
      capacity: 1,
    }));
  const templates = [
    ...hourly([1, 2, 3, 4, 5], 8, 10, 0),
    ...hourly([1, 2, 3, 4, 5], 10, 18, 2000),
    ...hourly([1, 2, 3, 4, 5, 6, 7], 18, 22, 4000),
  ];
  await venues.addResource(id, { name: '羽毛球1号场', sport: 'badminton', kind: 'court', templates });
  const detail = (await stack.request('GET', `/venues/${id}`)).body.venue;
  expect(detail.prices).toEqual([{ sport: 'badminton', minFen: 2000, maxFen: 4000, unit: 'hour', freeHours: '工作日 8–10 点免费' }]);
  expect(priceLine(detail.prices[0])).toBe('羽毛球 ¥20–40/小时 · 工作日 8–10 点免费');
  // 10 free hours a week on one court: short of the rule's 35, so no 免费/低收费 badge
  expect(detail.feeBadge).toBeNull();
  const listed = (await stack.request('GET', '/venues', { body: undefined })).body.items.find((v: { id: string }) => v.id === id);
  expect(listed).toMatchObject({ feeBadge: null, prices: detail.prices });

  // a community hall free all day meets it as 免费; cheap table tennis 91 h a week as 低收费
  const free = await venues.createVenue({ ...baseVenue('全天免费馆') });
  await venues.addResource(free, {
    name: '健身操',
    sport: 'fitness',
    kind: 'session',
    templates: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '10:00', priceFen: 0, capacity: 30 }],
  });
  const cheap = await venues.createVenue({ ...baseVenue('低价乒乓馆') });
  await venues.addResource(cheap, {
    name: '乒乓1号台',
    sport: 'table_tennis',
    kind: 'court',
    templates: hourly([1, 2, 3, 4, 5, 6, 7], 8, 21, 1000),
  });
  expect((await stack.request('GET', `/venues/${free}`)).body.venue.feeBadge).toBe('free');
  expect((await stack.request('GET', `/venues/${cheap}`)).body.venue.feeBadge).toBe('low_fee');

  // search by name or by sport, in Chinese
  const byName = (await stack.request('GET', `/venues?q=${encodeURIComponent('混合价')}`)).body.items.map((v: { id: string }) => v.id);
  expect(byName).toEqual([id]);
  const bySport = (await stack.request('GET', `/venues?q=${encodeURIComponent('乒乓')}`)).body.items.map((v: { id: string }) => v.id);
  expect(bySport).toEqual([cheap]);
});

function baseVenue(name: string) {
  return {
    name,
    district: '姑苏区',
    address: '测试路3号',
    location: { lat: 31.3, lng: 120.6 },
    openHours: { open: '08:00', close: '22:00' },
  };
}

// ---------- short gate codes ----------
test('the short code admits at its venue in its own step only, is refused for another venue, and is rate-limited', async () => {
  const courts = await slotsOf(other.courtId, day);
  const citizen = await stack.login('short-code-citizen');
  await stack.cloud.services.identity.setPersonalFields(citizen.userId, { nickname: '钱多多' });
  const staffHere = await stack.login('short-code-staff');
  await grant(stack, staffHere.userId, 'staff', other.venueId);
  const staffThere = await stack.login('short-code-staff-b');
  await grant(stack, staffThere.userId, 'staff', venue.venueId);
  const booked = await stack.request('POST', '/bookings', { token: citizen.token, body: { slotIds: [courts[3].id] } });
  expect(booked.status).toBe(201);
  const [ticket] = (await stack.request('GET', '/tickets/mine', { token: citizen.token })).body.items;
  // 10 minutes before the start, at the start of a 30-second step
  const step0 = Math.ceil((courts[3].startAt.getTime() - 10 * 60_000) / 1000 / TICKET_STEP_SECONDS);
  clock.set(new Date(step0 * TICKET_STEP_SECONDS * 1000 + 1000));
  const code = (await stack.request('GET', `/tickets/${ticket.id}/code`, { token: citizen.token })).body;
  expect(code.shortCode).toMatch(/^\d{8}$/);
  expect((await stack.request('GET', `/tickets/${ticket.id}/code`, { token: citizen.token })).body.shortCode).toBe(code.shortCode);

  // another venue's staff: refused by venue
  const elsewhere = await stack.request('POST', '/verifications', {
    token: staffThere.token,
    body: { code: code.shortCode, venueId: venue.venueId },
  });
  expect(elsewhere.status).toBe(403);
  expect(elsewhere.body.error.code).toBe('TICKET_NOT_FOR_THIS_VENUE');

  // the next step: the old digits mean nothing any more
  clock.set(new Date((step0 + 1) * TICKET_STEP_SECONDS * 1000 + 1000));
  const stale = await stack.request('POST', '/verifications', {
    token: staffHere.token,
    body: { code: code.shortCode, venueId: other.venueId },
  });
  expect(stale.status).toBe(400);
  expect(stale.body.error.code).toBe('SHORT_CODE_UNKNOWN');
  expect(
    (await db()
      .collection('tickets')
      .findOne({ _id: new mongoose.Types.ObjectId(ticket.id) }))!.status,
  ).toBe('valid');

  // this step's digits admit; the result names venue, court, time and the masked holder
  const fresh = (await stack.request('GET', `/tickets/${ticket.id}/code`, { token: citizen.token })).body;
  expect(fresh.shortCode).not.toBe(code.shortCode);
  const ok = await stack.request('POST', '/verifications', {
    token: staffHere.token,
    body: { code: fresh.shortCode, venueId: other.venueId },
  });
  expect(ok.status).toBe(200);
  expect(ok.body.ticket).toMatchObject({
    venueName: '隔壁旅程馆',
    resourceName: '羽毛球1号场',
    holderName: '钱**',
    startAt: courts[3].startAt.toISOString(),
  });
  const again = await stack.request('POST', '/verifications', {
    token: staffHere.token,
    body: { code: fresh.shortCode, venueId: other.venueId },
  });
  expect(again.body.error.code).toBe('TICKET_ALREADY_USED');

  // guessing: the budget is per staff account and kept in the database
  const guesser = await stack.login('short-code-guesser');
  await grant(stack, guesser.userId, 'staff', other.venueId);
  const answers: number[] = [];
  for (let i = 0; i < SHORT_CODE_TRIES_PER_MIN + 3; i++)
    answers.push(
      (
        await stack.request('POST', '/verifications', {
          token: guesser.token,
          body: { code: String(10_000_000 + i), venueId: other.venueId },
        })
      ).status,
    );
  expect(answers.slice(0, SHORT_CODE_TRIES_PER_MIN).every((s) => s === 400)).toBe(true);
  expect(answers.slice(SHORT_CODE_TRIES_PER_MIN)).toEqual([429, 429, 429]);
  expect(
    await db()
      .collection(rateLimitCollectionOf(`short-code:${guesser.userId}`))
      .countDocuments({ key: `rl:short-code:${guesser.userId}` }),
  ).toBe(1);
});

// ---------- partial cancel ----------
async function payWithVoucher(token: string, orderId: string, voucherId: string) {
  const paid = await stack.request('POST', `/orders/${orderId}/pay`, { token, body: { voucherIds: [voucherId] } });
  expect(paid.status).toBe(200);
  const prepayId = String(paid.body.payParams.package).replace('prepay_id=', '');
  const res = await fetch(`${stack.mock.url}/mock/pay/${prepayId}/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(200);
  await until(async () => (await orderOf(stack, token, orderId)).status === 'paid');
  await until(async () =>
    (await stack.request('GET', `/bookings/mine`, { token })).body.items.some(
      (b: { orderId: string; status: string }) => b.orderId === orderId && b.status === 'confirmed',
    ),
  );
}

test('one hour of a three-hour booking, then another, then the rest: places back exactly, refunds pro rata of what was paid, adding up to the fen', async () => {
  clock.set(new Date(shanghaiTime(day, '08:00').getTime() - 20 * 3600_000));
  const user = await stack.login('partial-citizen');
  const batch = await stack.request('POST', '/admin/voucher-batches', {
    token: admin.token,
    body: {
      name: '羽毛球消费券',
      kind: 'amount',
      faceFen: 1000,
      minSpendFen: 2000,
      validFrom: new Date(clock.now().getTime() - 3600_000).toISOString(),
      validTo: new Date(clock.now().getTime() + 30 * 86_400_000).toISOString(),
      total: 10,
    },
  });
  expect(batch.status).toBe(201);
  const voucher = (await stack.request('POST', `/vouchers/batches/${batch.body.batch.id}/claim`, { token: user.token, body: {} })).body
    .voucher;
  const courts = await slotsOf(venue.courtId, day);
  const three = [courts[6], courts[7], courts[8]];
  const booked = await stack.request('POST', '/bookings', { token: user.token, body: { slotIds: three.map((s) => s.id) } });
  expect(booked.status).toBe(201);
  const { id, orderId } = booked.body.booking;
  await payWithVoucher(user.token, orderId, voucher.id); // 7500 list, 6500 paid

  // a middle hour is refused; the quote shows the money before anything changes
  const middle = await stack.request('POST', `/bookings/${id}/cancel`, { token: user.token, body: { slotIds: [three[1].id] } });
  expect(middle.status).toBe(422);
  expect(middle.body.error.code).toBe('PARTIAL_CANCEL_INVALID');
  const quote = await stack.request('GET', `/bookings/${id}/cancel-quote?slotIds=${three[0].id}`, { token: user.token });
  expect(quote.body.quote).toMatchObject({ refundFen: 2166, paidFen: 6500, voucher: 'kept_used', partial: true });
  const whole = await stack.request('GET', `/bookings/${id}/cancel-quote`, { token: user.token });
  expect(whole.body.quote).toMatchObject({ refundFen: 6500, voucher: 'returned', partial: false });

  const first = await stack.request('POST', `/bookings/${id}/cancel`, { token: user.token, body: { slotIds: [three[0].id] } });
  expect(first.status).toBe(200);
  expect(first.body.booking).toMatchObject({
    status: 'confirmed',
    slotIds: [three[1].id, three[2].id],
    startAt: three[1].startAt.toISOString(),
    amountFen: 5000,
  });
  expect(await remainingOf(three[0].id)).toBe(1);
  expect(await remainingOf(three[1].id)).toBe(0);
  // the same part again: nothing more given back or refunded
  const repeat = await stack.request('POST', `/bookings/${id}/cancel`, { token: user.token, body: { slotIds: [three[0].id] } });
  expect(repeat.body.error.code).toBe('PARTIAL_CANCEL_INVALID');
  // the tickets follow the shorter booking
  const tickets = (await stack.request('GET', '/tickets/mine', { token: user.token })).body.items.filter(
    (t: { bookingId: string }) => t.bookingId === id,
  );
  expect(tickets.map((t: { startAt: string }) => t.startAt)).toEqual([three[1].startAt.toISOString()]);

  const second = await stack.request('POST', `/bookings/${id}/cancel`, { token: user.token, body: { slotIds: [three[2].id] } });
  expect(second.status).toBe(200);
  expect(await remainingOf(three[2].id)).toBe(1);
  const rest = await stack.request('POST', `/bookings/${id}/cancel`, { token: user.token, body: {} });
  expect(rest.body.booking.status).toBe('cancelled');
  expect(await remainingOf(three[1].id)).toBe(1);

  await until(async () => refundsAtWechat(stack, orderId).length === 3);
  const amounts = refundsAtWechat(stack, orderId).map((r) => r.amount.refund);
  expect(amounts).toEqual([2166, 2167, 2167]);
  expect(amounts.reduce((a, b) => a + b, 0)).toBe(6500);
  await until(async () => (await orderOf(stack, user.token, orderId)).status === 'refunded');
  // a whole refund gives the voucher back
  const mine = (await stack.request('GET', '/vouchers/mine', { token: user.token })).body.items;
  expect(mine.find((v: { id: string }) => v.id === voucher.id).status).toBe('available');
  // the healer finds nothing owed
  expect((await stack.cloud.kernel.effects.sweep('booking')).failed).toBe(0);
});

// ---------- ticket passing ----------
test('a companion’s ticket is named, passed to a friend once, audited, and no longer passable once the gate opens', async () => {
  clock.set(new Date(shanghaiTime(day, '08:00').getTime() - 20 * 3600_000));
  const holder = await stack.login('pass-holder');
  await stack.cloud.services.identity.setPersonalFields(holder.userId, { nickname: '孙悟空' });
  const friend = await stack.login('pass-friend');
  await stack.cloud.services.identity.setPersonalFields(friend.userId, { nickname: '猪八戒' });
  const third = await stack.login('pass-third');
  const courts = await slotsOf(other.courtId, day);
  const sessions = await slotsOf(other.sessionId, day);
  const booked = await stack.request('POST', '/bookings', {
    token: holder.token,
    body: { slotIds: [sessions[0].id], quantity: 2, companions: [{ name: '沙和尚' }] },
  });
  expect(booked.status).toBe(201);
  const tickets = (await stack.request('GET', '/tickets/mine', { token: holder.token })).body.items.filter(
    (t: { bookingId: string }) => t.bookingId === booked.body.booking.id,
  );
  expect(tickets.map((t: { holderName: string }) => t.holderName)).toEqual(['孙**', '沙**']);

  const offer = await stack.request('POST', `/tickets/${tickets[1].id}/transfer`, { token: holder.token, body: {} });
  expect(offer.status).toBe(200);
  const { claimToken } = offer.body;
  expect((await stack.request('POST', '/tickets/claim', { token: holder.token, body: { claimToken } })).body.error.code).toBe(
    'TICKET_CLAIM_OWN',
  );
  const [a, b] = await Promise.all([
    stack.request('POST', '/tickets/claim', { token: friend.token, body: { claimToken } }),
    stack.request('POST', '/tickets/claim', { token: third.token, body: { claimToken } }),
  ]);
  const won = [a, b].filter((r) => r.status === 200);
  expect(won).toHaveLength(1);
  expect([a, b].find((r) => r.status !== 200)!.body.error.code).toBe('TICKET_CLAIM_INVALID');
  const taker = won[0] === a ? friend : third;
  const mineNow = (await stack.request('GET', '/tickets/mine', { token: taker.token })).body.items;
  expect(mineNow.map((t: { id: string }) => t.id)).toEqual([tickets[1].id]);
  expect((await stack.request('GET', '/tickets/mine', { token: holder.token })).body.items.map((t: { id: string }) => t.id)).not.toContain(
    tickets[1].id,
  );
  // the holder can no longer show it; the new holder can
  expect((await stack.request('GET', `/tickets/${tickets[1].id}/code`, { token: holder.token })).status).toBe(404);
  expect((await stack.request('GET', `/tickets/${tickets[1].id}/code`, { token: taker.token })).status).toBe(200);
  const audit = await db().collection('audit_log').findOne({ action: 'ticket.claimed', 'details.ticketId': tickets[1].id });
  expect(String(audit!.actorId)).toBe(taker.userId);

  // once the entry window opens (30 minutes before), tickets stay where they are
  clock.set(new Date(sessions[0].startAt.getTime() - 20 * 60_000));
  const late = await stack.request('POST', `/tickets/${tickets[0].id}/transfer`, { token: holder.token, body: {} });
  expect(late.status).toBe(409);
  expect(late.body.error.code).toBe('TICKET_NOT_TRANSFERABLE');
  void courts;
});

// ---------- waitlist ----------
test('200 waiting, 10 places freed at once: 10 offers in line order, each once; an offer not taken passes on', async () => {
  clock.set(new Date(shanghaiTime(day, '08:00').getTime() - 20 * 3600_000));
  const [session] = await slotsOf(venue.sessionId, day);
  const bookers = await stack.loginMany('wl-booker', 10);
  const held = await Promise.all(
    bookers.map((u) => stack.request('POST', '/bookings', { token: u.token, body: { slotIds: [session.id] } })),
  );
  expect(held.every((r) => r.status === 201)).toBe(true);
  expect(await remainingOf(session.id)).toBe(0);

  // logged in ten at a time (the code2Session stand-in answers slowly under a 2-core machine's load)
  const waiting: { token: string; userId: string }[] = [];
  for (let i = 0; i < 200; i += 10)
    waiting.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => stack.login(`wl-waiter-${i + j}`)))));
  await consent(waiting[0].token, 'waitlist_offer');
  for (const [i, u] of waiting.entries()) {
    const res = await stack.request('POST', `/slots/${session.id}/waitlist`, { token: u.token, body: {} });
    expect(res.status).toBe(201);
    expect(res.body.entry.position).toBe(i + 1);
  }
  expect((await stack.request('POST', `/slots/${session.id}/waitlist`, { token: waiting[5].token, body: {} })).body.error.code).toBe(
    'WAITLIST_ALREADY_JOINED',
  );

  // the 10 holders cancel at the same moment; two instances' runners race for the job
  await Promise.all(
    held.map((r, i) => stack.request('POST', `/bookings/${r.body.booking.id}/cancel`, { token: bookers[i].token, body: {} })),
  );
  expect(await remainingOf(session.id)).toBe(10);
  const logger = createLogger('silent');
  const runners = [createJobRunner({ clock, logger, instanceId: 'a' }), createJobRunner({ clock, logger, instanceId: 'b' })];
  // (the loser of the lease skips this tick, or runs after the winner let go: either way nothing more is offered)
  const outcomes = await Promise.all(runners.map((r) => r.runOnce(jobOf('waitlist-offers'))));
  expect(outcomes.some((o) => o.ran)).toBe(true);
  // and a third run (the next tick) finds nothing more to offer
  expect((await jobOf('waitlist-offers').run()) as { offers: number }).toMatchObject({ offers: 0 });

  const offered = await db()
    .collection('booking_waitlist')
    .find({ slotId: new mongoose.Types.ObjectId(session.id), status: 'offered' })
    .sort({ seq: 1 })
    .toArray();
  expect(offered.map((e) => String(e.userId))).toEqual(waiting.slice(0, 10).map((u) => u.userId));
  const offerBookings = await db()
    .collection('bookings')
    .find({ slotIds: new mongoose.Types.ObjectId(session.id), status: 'held' })
    .toArray();
  expect(offerBookings.map((b) => String(b.userId)).sort()).toEqual(
    waiting
      .slice(0, 10)
      .map((u) => u.userId)
      .sort(),
  );
  expect(await remainingOf(session.id)).toBe(0);
  // the first in line agreed to the subscribe message: told once
  expect(stack.mock.sentMessages.filter((m) => m.template_id === 'waitlist_offer').map((m) => m.touser)).toEqual(['wl-waiter-0']);
  const pos = await stack.request('GET', `/slots/${session.id}/waitlist`, { token: waiting[10].token });
  expect(pos.body.entry).toMatchObject({ status: 'waiting', position: 1 });

  // nine pay; the first in line lets the offer lapse: it passes to the 11th
  for (const u of waiting.slice(1, 10)) {
    const b = offerBookings.find((x) => String(x.userId) === u.userId)!;
    await payAndConfirm(stack, u.token, b.orderId);
  }
  clock.set(new Date(clock.now().getTime() + 11 * 60_000));
  await jobOf('expire-holds').run();
  expect(await remainingOf(session.id)).toBe(1);
  await jobOf('waitlist-offers').run();
  const entry = async (u: { token: string }) =>
    (await stack.request('GET', `/slots/${session.id}/waitlist`, { token: u.token })).body.entry;
  expect(await entry(waiting[0])).toMatchObject({ status: 'passed' });
  expect(await entry(waiting[1])).toMatchObject({ status: 'booked' });
  expect(await entry(waiting[10])).toMatchObject({ status: 'offered' });
  expect(await entry(waiting[11])).toMatchObject({ status: 'waiting', position: 1 });
  expect(await remainingOf(session.id)).toBe(0);
  // each waiting citizen was offered at most once
  const perUser = await db()
    .collection('bookings')
    .aggregate([
      { $match: { slotIds: new mongoose.Types.ObjectId(session.id) } },
      { $group: { _id: '$userId', n: { $sum: 1 } } },
      { $match: { n: { $gt: 1 } } },
    ])
    .toArray();
  expect(perUser).toEqual([]);
}, 180_000);

test('a slot with places has no waitlist; leaving works once', async () => {
  const courts = await slotsOf(venue.courtId, day);
  const u = await stack.login('wl-early');
  const open = await stack.request('POST', `/slots/${courts[12].id}/waitlist`, { token: u.token, body: {} });
  expect(open.status).toBe(409);
  expect(open.body.error.code).toBe('WAITLIST_NOT_OPEN');
  const [session] = await slotsOf(venue.sessionId, day);
  expect((await stack.request('POST', `/slots/${session.id}/waitlist`, { token: u.token, body: {} })).status).toBe(201);
  expect((await stack.request('DELETE', `/slots/${session.id}/waitlist`, { token: u.token })).body.entry.status).toBe('left');
  expect((await stack.request('DELETE', `/slots/${session.id}/waitlist`, { token: u.token })).body.error.code).toBe(
    'WAITLIST_ENTRY_NOT_FOUND',
  );
});

// ---------- release reminders ----------
test('a release reminder goes out at the release minute, once', async () => {
  const u = await stack.login('release-citizen');
  await consent(u.token, 'release_reminder', 2);
  const target = daysAhead(clock, 9); // released 7 days before, at 08:00
  const res = await stack.request('POST', '/release-reminders', {
    token: u.token,
    body: { venueId: venue.venueId, sport: 'badminton', date: target },
  });
  expect(res.status).toBe(201);
  const remindAt = new Date(res.body.reminder.remindAt);
  expect(remindAt.toISOString()).toBe(shanghaiTime(daysAhead(clock, 2), '08:00').toISOString());
  const sent = () => stack.mock.sentMessages.filter((m) => m.touser === 'release-citizen' && m.template_id === 'release_reminder').length;
  clock.set(new Date(remindAt.getTime() - 60_000));
  expect(await jobOf('release-reminders').run()).toBe(0);
  expect(sent()).toBe(0);
  clock.set(remindAt);
  expect(await jobOf('release-reminders').run()).toBe(1);
  expect(await jobOf('release-reminders').run()).toBe(0);
  expect(sent()).toBe(1);
  // the day is out now: asking again is refused with its code
  const late = await stack.request('POST', '/release-reminders', {
    token: u.token,
    body: { venueId: venue.venueId, date: daysAhead(clock, 7) },
  });
  expect(late.status).toBe(422);
  expect(late.body.error.code).toBe('REMINDER_NOT_NEEDED');
});

// ---------- standing before choosing ----------
test('the slot page can show the citizen’s standing against each limit and their own slots before they choose', async () => {
  clock.set(new Date(shanghaiTime(day, '08:00').getTime() - 20 * 3600_000));
  const u = await stack.login('standing-citizen');
  const courts = await slotsOf(other.courtId, day);
  const before = await stack.request('GET', `/venues/${other.venueId}/standing?date=${day}&sport=badminton`, { token: u.token });
  expect(before.body.standing.limits.map((l: { used: number; max: number }) => `${l.used}/${l.max}`)).toEqual(['0/2', '0/6', '0/4']);
  for (const s of [courts[10], courts[12]])
    expect((await stack.request('POST', '/bookings', { token: u.token, body: { slotIds: [s.id] } })).status).toBe(201);
  const after = (await stack.request('GET', `/venues/${other.venueId}/standing?date=${day}&sport=badminton`, { token: u.token })).body
    .standing;
  expect(after.limits[0]).toEqual({ rule: 'day', label: '当日已约', used: 2, max: 2 });
  expect(after.mySlotIds.sort()).toEqual([courts[10].id, courts[12].id].sort());
  // the third is refused, naming the rule
  const third = await stack.request('POST', '/bookings', { token: u.token, body: { slotIds: [courts[13].id] } });
  expect(third.body.error.code).toBe('BOOKING_LIMIT_REACHED');
  expect(third.body.error.details.limits[0]).toMatchObject({ max: 2 });
});

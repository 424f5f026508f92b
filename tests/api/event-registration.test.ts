/**
 * Event registration over HTTP on the real app and engine: the organiser's lifecycle (audited),
 * real-name entry rules (GB 11643, age on race day, pledge, guardian), one ID once per event,
 * first come with holds, payment through the `event` order kind, tickets, cancellation tiers,
 * teams, bibs and results.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, type TestStack } from '../support/stack';
import { eventInput, fakePayments, idNumber, openEvent, organiser, participant } from '../support/event-fixture';

const clock = new ManualClock(new Date('2027-01-10T02:00:00Z'));
const pay = fakePayments();
let stack: TestStack;
let org: { token: string; userId: string };
let runner: { token: string; userId: string };

beforeAll(async () => {
  stack = await startTestStack('events', { clock, appDeps: { payments: pay.port } });
  org = await organiser(stack, 'org-a');
  runner = await stack.login('runner-a');
}, 60_000);
afterAll(async () => stack.stop());

const register = (token: string, eventId: string, body: unknown, key?: string) =>
  stack.request('POST', `/events/${eventId}/registrations`, { token, body, ...(key ? { headers: { 'idempotency-key': key } } : {}) });
const job = (name: string) => stack.cloud.jobs.find((j) => j.name === name)!.run();

describe('organiser lifecycle', () => {
  test('create (draft, hidden) → publish → open; every step audited; a second publish is refused', async () => {
    const created = await stack.request('POST', '/organiser/events', { token: org.token, body: eventInput() });
    expect(created.status).toBe(201);
    const id = created.body.event.id;
    expect(created.body.event.status).toBe('draft');
    expect((await stack.request('GET', `/events/${id}`)).status).toBe(404);
    expect((await stack.request('POST', `/organiser/events/${id}/open`, { token: org.token })).body.error.code).toBe(
      'EVENT_STATE_CONFLICT',
    );
    const edited = await stack.request('PUT', `/organiser/events/${id}`, { token: org.token, body: eventInput({ name: '改名后的赛事' }) });
    expect(edited.body.event.name).toBe('改名后的赛事');
    expect((await stack.request('POST', `/organiser/events/${id}/publish`, { token: org.token })).body.event.status).toBe('published');
    const again = await stack.request('POST', `/organiser/events/${id}/publish`, { token: org.token });
    expect(again.status).toBe(409);
    expect((await stack.request('POST', `/organiser/events/${id}/open`, { token: org.token })).body.event.status).toBe('registration_open');
    const pub = await stack.request('GET', `/events/${id}`);
    expect(pub.body.event.groups[0]).toMatchObject({ capacity: 100, remaining: 100, feeFen: 10000 });
    const actions = await mongoose.connection
      .db!.collection('audit_log')
      .find({ 'details.eventId': id })
      .map((a) => a.action)
      .toArray();
    expect(actions).toEqual(['event.create', 'event.update', 'event.publish', 'event.open']);
    const list = await stack.request('GET', '/events?sport=running&month=2027-03');
    expect(list.body.items.map((e: { id: string }) => e.id)).toContain(id);
    expect((await stack.request('GET', '/events?sport=running&month=2027-04')).body.items.map((e: { id: string }) => e.id)).not.toContain(
      id,
    );
  });

  test('a citizen is not an organiser; another organiser cannot touch the event', async () => {
    expect((await stack.request('POST', '/organiser/events', { token: runner.token, body: eventInput() })).status).toBe(403);
    const ev = await openEvent(stack, org, eventInput());
    const other = await organiser(stack, 'org-b');
    const r = await stack.request('POST', `/organiser/events/${ev.id}/close`, { token: other.token });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('EVENT_NOT_FOUND');
  });
});

describe('entry rules', () => {
  let ev: { id: string; groups: { id: string }[] };
  beforeAll(async () => {
    ev = await openEvent(
      stack,
      org,
      eventInput({}, [
        { name: '成人组', capacity: 50, feeFen: 0, eligibility: { minAge: 18 } },
        { name: '青少年组', capacity: 50, feeFen: 0, eligibility: { minAge: 12, maxAge: 17 } },
        { name: '女子组', capacity: 50, feeFen: 0, eligibility: { gender: 'F' } },
      ]),
    );
  });
  const body = (groupIdx: number, id: string, extra: Record<string, unknown> = {}) => ({
    groupId: ev.groups[groupIdx].id,
    participant: participant(id),
    healthPledge: true,
    pledgeVersion: 'v1',
    ...extra,
  });

  test('an ID number with a wrong checksum or date answers ID_NUMBER_INVALID', async () => {
    const good = idNumber('1990-05-01', 1);
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const r = await register(runner.token, ev.id, body(0, bad));
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('ID_NUMBER_INVALID');
    expect((await register(runner.token, ev.id, body(0, '320502199002301234'))).body.error.code).toBe('ID_NUMBER_INVALID');
  });

  test('age counts on race day, not on the registration day', async () => {
    // turns 18 on 2027-03-20, two days before the race (2027-03-22) but after today (2027-01-10)
    const almost = idNumber('2009-03-20', 2);
    const ok = await register(runner.token, ev.id, body(0, almost));
    expect(ok.status).toBe(201);
    // turns 18 the day after the race: still 17 on race day → not in the adult group, and needs a guardian for the youth group
    const late = idNumber('2009-03-23', 3);
    const r = await register(runner.token, ev.id, body(0, late));
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('NOT_ELIGIBLE');
    expect(r.body.error.details.ageOnRaceDay).toBe(17);
  });

  test('gender comes from the ID number', async () => {
    const man = await register(runner.token, ev.id, body(2, idNumber('1990-01-01', 4, 'M')));
    expect(man.body.error.code).toBe('NOT_ELIGIBLE');
    expect((await register(runner.token, ev.id, body(2, idNumber('1990-01-01', 5, 'F')))).status).toBe(201);
  });

  test('the health pledge must be accepted, in its current version', async () => {
    const r = await register(runner.token, ev.id, body(0, idNumber('1990-01-01', 6), { healthPledge: false }));
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('HEALTH_PLEDGE_REQUIRED');
    expect((await register(runner.token, ev.id, body(0, idNumber('1990-01-01', 6), { pledgeVersion: 'v0' }))).body.error.code).toBe(
      'HEALTH_PLEDGE_REQUIRED',
    );
  });

  test('under 18 on race day needs a guardian', async () => {
    const kid = idNumber('2012-06-01', 7);
    const r = await register(runner.token, ev.id, body(1, kid));
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('GUARDIAN_CONSENT_REQUIRED');
    const ok = await register(
      runner.token,
      ev.id,
      body(1, kid, { guardianConsent: { name: '王五', phone: '13700137000', accepted: true } }),
    );
    expect(ok.status).toBe(201);
  });

  test('one ID once per event, from any account; personal fields sealed, the ID stored only as a keyed hash', async () => {
    const id = idNumber('1985-07-07', 8);
    expect((await register(runner.token, ev.id, body(0, id))).status).toBe(201);
    const other = await stack.login('runner-family');
    const dup = await register(other.token, ev.id, body(0, id.toLowerCase()));
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('ALREADY_REGISTERED');
    const raw = JSON.stringify(
      await mongoose.connection
        .db!.collection('event_registrations')
        .find({ eventId: new mongoose.Types.ObjectId(ev.id) })
        .toArray(),
    );
    expect(raw).not.toContain(id);
    expect(raw).not.toContain('13800138000');
    expect(raw).not.toContain('张三');
    const mine = await stack.request('GET', '/registrations/mine', { token: runner.token });
    expect(
      mine.body.items.some(
        (r: { participant: { idNumber: string } }) => r.participant.idNumber === `${id.slice(0, 6)}********${id.slice(-4)}`,
      ),
    ).toBe(true);
  });

  test('a free entry is confirmed with a ticket of source registration', async () => {
    const r = await register(runner.token, ev.id, body(0, idNumber('1980-02-02', 9)));
    expect(r.body.registration.status).toBe('confirmed');
    const t = await mongoose.connection
      .db!.collection('tickets')
      .findOne({ 'source.kind': 'registration', 'source.id': r.body.registration.id });
    expect(t?.status).toBe('valid');
  });

  test('the same Idempotency-Key replays the first answer', async () => {
    const b = body(0, idNumber('1981-03-03', 10));
    const a = await register(runner.token, ev.id, b, 'evt-key-000001');
    const again = await register(runner.token, ev.id, b, 'evt-key-000001');
    expect(a.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.registration.id).toBe(a.body.registration.id);
  });
});

describe('first come with payment', () => {
  test('paid group: held with an order of kind event; paid → confirmed + ticket; unpaid past the hold → place back', async () => {
    const ev = await openEvent(stack, org, eventInput({}, [{ name: '10公里', capacity: 2, feeFen: 8000, eligibility: {} }]));
    const b = (n: number) => ({ groupId: ev.groups[0].id, participant: participant(idNumber('1990-01-01', 100 + n)), healthPledge: true });
    const a = await register(runner.token, ev.id, b(1));
    expect(a.body.registration).toMatchObject({ status: 'held' });
    const orderId = a.body.registration.orderId;
    expect(pay.orders.get(orderId)).toMatchObject({ kind: 'event', amountFen: 8000 });
    const c = await register(runner.token, ev.id, b(2));
    expect(c.body.registration.status).toBe('held');
    const full = await register(runner.token, ev.id, b(3));
    expect(full.body.error.code).toBe('GROUP_FULL');
    expect(await pay.pay(orderId)).toBe('applied');
    const confirmed = await stack.request('GET', `/registrations/${a.body.registration.id}`, { token: runner.token });
    expect(confirmed.body.registration.status).toBe('confirmed');
    expect(await mongoose.connection.db!.collection('tickets').countDocuments({ 'source.id': a.body.registration.id })).toBe(1);
    clock.advance(16 * 60_000);
    await job('event-expire-unpaid');
    expect((await stack.request('GET', `/registrations/${c.body.registration.id}`, { token: runner.token })).body.registration.status).toBe(
      'expired',
    );
    expect(pay.orders.get(c.body.registration.orderId)!.status).toBe('closed');
    expect((await stack.request('GET', `/events/${ev.id}`)).body.event.groups[0].remaining).toBe(1);
    // paying the closed hold's order is refused by the domain (payment refunds it)
    expect(await pay.pay(c.body.registration.orderId)).toBe('rejected');
    // the same ID may enter again after its hold expired
    expect((await register(runner.token, ev.id, b(2))).status).toBe(201);
  });

  test('cancelling a paid entry refunds by the policy tier and revokes the ticket', async () => {
    // the race is 10 days away: the 7-day tier applies (50 %)
    const ev = await openEvent(
      stack,
      org,
      eventInput(
        {
          startAt: '2027-01-20T01:00:00.000Z',
          registration: { mode: 'first_come', opensAt: '2027-01-01T00:00:00.000Z', closesAt: '2027-01-15T00:00:00.000Z' },
        },
        [{ name: '10公里', capacity: 5, feeFen: 10000, eligibility: {} }],
      ),
    );
    const a = await register(runner.token, ev.id, {
      groupId: ev.groups[0].id,
      participant: participant(idNumber('1991-01-01', 200)),
      healthPledge: true,
    });
    await pay.pay(a.body.registration.orderId);
    const c = await stack.request('POST', `/registrations/${a.body.registration.id}/cancel`, { token: runner.token, body: {} });
    expect(c.body).toMatchObject({ registration: { status: 'cancelled' } });
    expect(pay.orders.get(a.body.registration.orderId)!.refunds).toEqual([5000]);
    const t = await mongoose.connection.db!.collection('tickets').findOne({ 'source.id': a.body.registration.id });
    expect(t?.status).toBe('revoked');
    expect((await stack.request('GET', `/events/${ev.id}`)).body.event.groups[0].remaining).toBe(5);
    const otherUser = await stack.login('runner-c');
    const notMine = await stack.request('POST', `/registrations/${a.body.registration.id}/cancel`, { token: otherUser.token, body: {} });
    expect(notMine.status).toBe(404);
  });
});

describe('teams', () => {
  test('a captain makes a team; members join with the code; size max holds; complete when all confirmed', async () => {
    const ev = await openEvent(
      stack,
      org,
      eventInput({ kind: 'league', sport: 'badminton' }, [
        { name: '混合团体', capacity: 40, feeFen: 0, eligibility: {}, team: { minSize: 2, maxSize: 3 } },
      ]),
    );
    const t = await stack.request('POST', `/events/${ev.id}/teams`, {
      token: runner.token,
      body: { groupId: ev.groups[0].id, name: '飞羽队' },
    });
    expect(t.status).toBe(201);
    const code = t.body.team.inviteCode;
    const entry = (n: number, teamCode?: string) => ({
      groupId: ev.groups[0].id,
      participant: participant(idNumber('1992-01-01', 300 + n)),
      healthPledge: true,
      ...(teamCode ? { teamCode } : {}),
    });
    expect((await register(runner.token, ev.id, entry(0))).body.error.code).toBe('TEAM_REQUIRED');
    expect((await register(runner.token, ev.id, entry(0, 'ZZZZZZZZ'))).body.error.code).toBe('TEAM_NOT_FOUND');
    expect((await register(runner.token, ev.id, entry(1, code))).status).toBe(201);
    let view = await stack.request('GET', `/teams/${t.body.team.id}`, { token: runner.token });
    expect(view.body.team.complete).toBe(false);
    expect((await register(runner.token, ev.id, entry(2, code))).status).toBe(201);
    view = await stack.request('GET', `/teams/${t.body.team.id}`, { token: runner.token });
    expect(view.body.team.complete).toBe(true);
    expect((await register(runner.token, ev.id, entry(3, code))).status).toBe(201);
    const over = await register(runner.token, ev.id, entry(4, code));
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('TEAM_FULL');
  });
});

describe('bibs and results', () => {
  test('bibs per group after the close; CSV import ranks overall, by group and gender; public search by bib or exact name', async () => {
    const ev = await openEvent(
      stack,
      org,
      eventInput({}, [
        { name: '半马', capacity: 10, feeFen: 0, eligibility: {}, bibPrefix: 'A', bibStart: 1 },
        { name: '10公里', capacity: 10, feeFen: 0, eligibility: {}, bibPrefix: 'B', bibStart: 1 },
      ]),
    );
    const names = ['赵一', '钱二', '孙三', '李四'];
    for (let i = 0; i < 4; i++) {
      const r = await register(runner.token, ev.id, {
        groupId: ev.groups[i % 2].id,
        participant: participant(idNumber('1990-01-01', 400 + i, i < 2 ? 'M' : 'F'), names[i]),
        healthPledge: true,
      });
      expect(r.status).toBe(201);
    }
    expect((await stack.request('POST', `/organiser/events/${ev.id}/bibs`, { token: org.token })).status).toBe(409);
    await stack.request('POST', `/organiser/events/${ev.id}/close`, { token: org.token });
    const bibs = await stack.request('POST', `/organiser/events/${ev.id}/bibs`, { token: org.token });
    expect(bibs.body.groups.map((g: { assigned: number }) => g.assigned)).toEqual([2, 2]);
    const assigned = await mongoose.connection
      .db!.collection('event_registrations')
      .find({ eventId: new mongoose.Types.ObjectId(ev.id) })
      .map((r) => r.bib)
      .toArray();
    expect(assigned.sort()).toEqual(['A01', 'A02', 'B01', 'B02']);
    const csv =
      'bib,gunTime,chipTime\nA01,1:40:10,1:39:50\nA02,1:35:00,1:34:40\nB01,0:50:00,0:49:30\nB02,0:45:00,0:44:59\nZ99,1:00:00,1:00:00\n';
    const imp = await stack.request('POST', `/organiser/events/${ev.id}/results`, { token: org.token, body: { csv } });
    expect(imp.body.imported).toBe(4);
    expect(imp.body.skipped.length).toBe(1);
    const all = await stack.request('GET', `/events/${ev.id}/results`);
    expect(all.body.items.map((r: { bib: string }) => r.bib)).toEqual(['B02', 'B01', 'A02', 'A01']);
    const a02 = all.body.items.find((r: { bib: string }) => r.bib === 'A02');
    expect(a02).toMatchObject({ rankOverall: 3, rankGroup: 1, chipTime: '1:34:40' });
    const byName = await stack.request('GET', `/events/${ev.id}/results?q=${encodeURIComponent('孙三')}`);
    expect(byName.body.items).toHaveLength(1);
    expect(byName.body.items[0].name).toBe('孙*');
    expect((await stack.request('GET', `/events/${ev.id}/results?q=b01`)).body.items[0].bib).toBe('B01');
    const bad = await stack.request('POST', `/organiser/events/${ev.id}/results`, { token: org.token, body: { csv: 'nonsense' } });
    expect(bad.body.error.code).toBe('RESULTS_INVALID');
    const list = await stack.request('GET', `/organiser/events/${ev.id}/registrations`, { token: org.token });
    expect(list.body.items[0].participant.name).toMatch(/\*/);
    expect(list.body.groups[0].counts.confirmed).toBe(2);
    const xlsx = await fetch(`${stack.url}/api/v1/organiser/events/${ev.id}/registrations?format=xlsx`, {
      headers: { authorization: `Bearer ${org.token}` },
    });
    expect(xlsx.status).toBe(200);
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
  });
});

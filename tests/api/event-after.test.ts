/**
 * After registering, on one app and engine: 名额转让 (policy, deadline, once, the same real-name
 * checks, one ID once per event, the old ticket revoked and a new one issued — crash-safe —,
 * audited, two at once → one), the results certificate (owner only, public verification with
 * a masked name) and the subscribe messages (draw result, pay-by, start reminder: each once per
 * registration with the job run twice, only with consent).
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { CrashSwitch } from '../../cloud/src/platform/kernel';
import { startTestStack, type TestStack } from '../support/stack';
import { eventInput, fakePayments, idNumber, openEvent, organiser, participant } from '../support/event-fixture';

const BASE = new Date('2027-01-10T02:00:00Z');
const clock = new ManualClock(BASE);
const pay = fakePayments();
const crashes = new CrashSwitch();
let stack: TestStack;
let control: TestStack;
/** a second instance on the same engine that keeps an open event for 10 minutes (EVENT_OPEN_CACHE_MS) */
let peer: TestStack;
let org: { token: string; userId: string };
let runner: { token: string; userId: string };
let other: { token: string; userId: string };
const db = () => mongoose.connection.db!;
const job = (name: string) => stack.cloud.jobs.find((j) => j.name === name)!.run();

beforeAll(async () => {
  stack = await startTestStack('event-after', { clock, appDeps: { payments: pay.port, crashes } });
  control = await startTestStack('event-after-control', {
    clock,
    reuseConnection: true,
    appDeps: { payments: pay.port, controlRunWithoutGuards: true },
  });
  peer = await startTestStack('event-after-peer', {
    clock,
    reuseConnection: true,
    appDeps: { payments: pay.port },
    env: { EVENT_OPEN_CACHE_MS: '600000' },
  });
  org = await organiser(stack, 'after-org');
  runner = await stack.login('after-runner');
  other = await stack.login('after-other');
}, 60_000);
afterAll(async () => {
  await peer.stop();
  await control.stop();
  await stack.stop();
});
afterEach(() => {
  clock.set(BASE);
  crashes.disarm();
});

const register = (token: string, eventId: string, groupId: string, id: string, name = '张三') =>
  stack.request('POST', `/events/${eventId}/registrations`, {
    token,
    body: { groupId, participant: participant(id, name), healthPledge: true, pledgeVersion: 'v1' },
  });
const transfer = (token: string, regId: string, body: unknown) =>
  stack.request('POST', `/registrations/${regId}/transfer`, { token, body });
const transferBody = (id: string, name = '王五', extra: Record<string, unknown> = {}) => ({
  participant: participant(id, name),
  healthPledge: true,
  pledgeVersion: 'v1',
  ...extra,
});
const ticketsOf = (sourceId: string) => db().collection('tickets').find({ 'source.id': sourceId }).toArray();

const TRANSFERABLE = { transfer: { allowed: true, deadline: '2027-03-01T00:00:00.000Z' } };
const FREE = [{ name: '10公里', capacity: 200, feeFen: 0, eligibility: { minAge: 16 } }];

describe('名额转让', () => {
  let ev: { id: string; groups: { id: string }[] };
  let n = 100;
  const nextId = (birth = '1990-01-01') => idNumber(birth, n++);
  beforeAll(async () => {
    ev = await openEvent(stack, org, eventInput(TRANSFERABLE, FREE));
  });

  test('a confirmed entry passes once to a new participant: checks, ticket swapped, audited, money stays', async () => {
    const first = nextId();
    const reg = (await register(runner.token, ev.id, ev.groups[0].id, first)).body.registration;
    expect(reg.status).toBe('confirmed');
    const [oldTicket] = await ticketsOf(reg.id);
    expect(oldTicket.status).toBe('valid');

    // the same checks as entering: a bad checksum, the pledge, a minor's guardian, an ID already in
    const bad = nextId();
    expect((await transfer(runner.token, reg.id, transferBody(bad.slice(0, 17) + (bad[17] === '0' ? '1' : '0')))).body.error.code).toBe(
      'ID_NUMBER_INVALID',
    );
    expect((await transfer(runner.token, reg.id, transferBody(nextId(), '王五', { healthPledge: false }))).body.error.code).toBe(
      'HEALTH_PLEDGE_REQUIRED',
    );
    // 16 on race day (2027-03-22): eligible by age, but needs a guardian
    expect((await transfer(runner.token, reg.id, transferBody(nextId('2010-06-01')))).body.error.code).toBe('GUARDIAN_CONSENT_REQUIRED');
    expect((await transfer(runner.token, reg.id, transferBody(nextId('2012-06-01')))).body.error.code).toBe('NOT_ELIGIBLE');
    const taken = nextId();
    await register(other.token, ev.id, ev.groups[0].id, taken, '赵六');
    expect((await transfer(runner.token, reg.id, transferBody(taken))).body.error.code).toBe('ALREADY_REGISTERED');
    // someone else's entry looks absent
    expect((await transfer(other.token, reg.id, transferBody(nextId()))).status).toBe(404);

    const to = nextId();
    const done = await transfer(runner.token, reg.id, transferBody(to));
    expect(done.status).toBe(200);
    expect(done.body.registration).toMatchObject({ status: 'confirmed', feeFen: 0, participant: { name: '王*' } });
    expect(done.body.registration.transferredAt).toBe(BASE.toISOString());
    expect((await ticketsOf(reg.id))[0].status).toBe('revoked');
    const [newTicket] = await ticketsOf(`${reg.id}.t`);
    expect(newTicket.status).toBe('valid');
    // the first participant's ID is free again for this event; the new one is taken
    expect((await register(other.token, ev.id, ev.groups[0].id, first, '张三')).status).toBe(201);
    expect((await register(other.token, ev.id, ev.groups[0].id, to, '王五')).body.error.code).toBe('ALREADY_REGISTERED');
    // once only
    expect((await transfer(runner.token, reg.id, transferBody(nextId()))).body.error.code).toBe('ALREADY_TRANSFERRED');
    const audit = await db().collection('audit_log').findOne({ action: 'event.transfer', 'details.registrationId': reg.id });
    expect(audit?.details).toMatchObject({ from: '张*', to: '王*' });
    expect(JSON.stringify(audit)).not.toContain(to);
    const fact = await db().collection('outbox').findOne({ type: 'event.registration_transferred', 'payload.registrationId': reg.id });
    expect(fact).toBeTruthy();
    // an ID number is 18 characters standing alone; hex ids (24 characters) can hold long digit runs
    const factText = JSON.stringify(fact);
    expect(factText).not.toMatch(/王五|张三|(?<![0-9a-fA-F])\d{17}[\dX](?![0-9a-fA-F])/);
    for (const id of [first, to]) expect(factText).not.toContain(id);
    // cancelling afterwards revokes the new participant's ticket
    await stack.request('POST', `/registrations/${reg.id}/cancel`, { token: runner.token, body: {} });
    expect((await ticketsOf(`${reg.id}.t`))[0].status).toBe('revoked');
  });

  test('refused when the policy forbids it, after the deadline, and for an entry not confirmed', async () => {
    const closed = await openEvent(stack, org, eventInput({}, FREE));
    const r1 = (await register(runner.token, closed.id, closed.groups[0].id, nextId())).body.registration;
    expect((await transfer(runner.token, r1.id, transferBody(nextId()))).body.error.code).toBe('TRANSFER_NOT_ALLOWED');

    const r2 = (await register(runner.token, ev.id, ev.groups[0].id, nextId())).body.registration;
    clock.set(new Date('2027-03-01T00:00:00Z'));
    const late = await transfer((await stack.login('after-runner')).token, r2.id, transferBody(nextId()));
    expect(late.status).toBe(422);
    expect(late.body.error.code).toBe('TRANSFER_CLOSED');
    clock.set(BASE);
    await stack.request('POST', `/registrations/${r2.id}/cancel`, { token: runner.token, body: {} });
    expect((await transfer(runner.token, r2.id, transferBody(nextId()))).body.error.code).toBe('REGISTRATION_NOT_TRANSFERABLE');
  });

  test('bad input: types, sizes, $ operators, bad ids → 4xx, nothing written', async () => {
    const reg = (await register(runner.token, ev.id, ev.groups[0].id, nextId())).body.registration;
    const before = await db()
      .collection('event_registrations')
      .findOne({ _id: new mongoose.Types.ObjectId(reg.id) });
    const bodies: unknown[] = [
      {},
      { participant: 'x', healthPledge: true },
      transferBody({ $gt: '' } as never),
      { ...transferBody(nextId()), healthPledge: 'yes' },
      { ...transferBody(nextId()), participant: { ...participant(nextId()), name: '长'.repeat(5000) } },
      { ...transferBody(nextId()), $set: { userId: other.userId } },
      { ...transferBody(nextId()), pledgeVersion: { $ne: null } },
    ];
    for (const body of bodies) {
      const r = await transfer(runner.token, reg.id, body);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
    for (const id of ['nope', '{"$ne":null}', 'a'.repeat(300)])
      expect((await transfer(runner.token, id, transferBody(nextId()))).status).toBe(400);
    expect((await transfer('', reg.id, transferBody(nextId()))).status).toBe(401);
    const after = await db()
      .collection('event_registrations')
      .findOne({ _id: new mongoose.Types.ObjectId(reg.id) });
    expect(after).toEqual(before);
  });

  test('control: without the guard, 20 transfers of one entry at once pass it on more than once', async () => {
    const reg = (await register(runner.token, ev.id, ev.groups[0].id, nextId())).body.registration;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => nextId()).map((id) =>
        control.request('POST', `/registrations/${reg.id}/transfer`, { token: runner.token, body: transferBody(id) }),
      ),
    );
    const passed = answers.filter((a) => a.status === 200).length;
    process.stdout.write(
      `[event-transfer] control: ${passed} of 20 transfers of one entry went through; ${JSON.stringify(answers.map((a) => a.body?.error?.code ?? a.status))}\n`,
    );
    expect(passed).toBeGreaterThan(1);
  });

  test('20 transfers of one entry at once → exactly one; the others ALREADY_TRANSFERRED', async () => {
    const reg = (await register(runner.token, ev.id, ev.groups[0].id, nextId())).body.registration;
    const ids = Array.from({ length: 20 }, () => nextId());
    const answers = await Promise.all(ids.map((id) => transfer(runner.token, reg.id, transferBody(id))));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(new Set(answers.filter((a) => a.status !== 200).map((a) => a.body.error.code))).toEqual(new Set(['ALREADY_TRANSFERRED']));
    expect((await ticketsOf(`${reg.id}.t`)).filter((t) => t.status === 'valid')).toHaveLength(1);
    // every ID but the winner's is still free
    const winner = ids[answers.findIndex((a) => a.status === 200)];
    const keys = await db()
      .collection('event_registrations')
      .countDocuments({ eventId: new mongoose.Types.ObjectId(ev.id), status: 'confirmed' });
    expect(keys).toBeGreaterThan(0);
    expect((await register(other.token, ev.id, ev.groups[0].id, winner)).body.error.code).toBe('ALREADY_REGISTERED');
    expect(
      (
        await register(
          other.token,
          ev.id,
          ev.groups[0].id,
          ids.find((i) => i !== winner)!,
        )
      ).status,
    ).toBe(201);
  });

  test('a crash after the transfer is recorded: the sweeper revokes the old ticket and issues the new one', async () => {
    const reg = (await register(runner.token, ev.id, ev.groups[0].id, nextId())).body.registration;
    crashes.arm('event.transfer:after-transition');
    expect((await transfer(runner.token, reg.id, transferBody(nextId()))).status).toBe(500);
    expect((await ticketsOf(reg.id))[0].status).toBe('valid'); // the crash left the old ticket admitting
    expect(await ticketsOf(`${reg.id}.t`)).toHaveLength(0);
    clock.set(new Date(BASE.getTime() + 60_000));
    await job('event-heal');
    expect((await ticketsOf(reg.id))[0].status).toBe('revoked');
    expect((await ticketsOf(`${reg.id}.t`))[0].status).toBe('valid');
    const doc = await db()
      .collection('event_registrations')
      .findOne({ _id: new mongoose.Types.ObjectId(reg.id) });
    expect(doc?.pending).toEqual([]);
  });
});

describe('editing an event before its window opens', () => {
  const groupsIn = async (eventId: string) =>
    (
      await db()
        .collection('event_groups')
        .find({ eventId: new mongoose.Types.ObjectId(eventId) })
        .sort({ order: 1 })
        .toArray()
    ).map((g) => g.name as string);
  const edit = (target: TestStack, eventId: string, names: string[], rev?: string) =>
    target.request('PUT', `/organiser/events/${eventId}`, {
      token: org.token,
      body: eventInput(
        {},
        names.map((name) => ({ name, capacity: 50, feeFen: 0, eligibility: {} })),
      ),
      ...(rev === undefined ? {} : { headers: { 'If-Match': rev } }),
    });
  const draft = async () => (await stack.request('POST', '/organiser/events', { token: org.token, body: eventInput({}, FREE) })).body.event;

  test('an edit replaces the groups: the new ones only, in order', async () => {
    const ev = await draft();
    const res = await edit(stack, ev.id, ['5公里', '10公里']);
    expect(res.status).toBe(200);
    expect(res.body.event.groups.map((g: { name: string }) => g.name)).toEqual(['5公里', '10公里']);
    expect(await groupsIn(ev.id)).toEqual(['5公里', '10公里']);
    expect(
      (
        await db()
          .collection('events')
          .findOne({ _id: new mongoose.Types.ObjectId(ev.id) })
      )?.groupsDraft,
    ).toBeNull();
  });

  test('control: without the guard, 10 edits made on the same page at once all win and the groups end up a mix', async () => {
    const ev = await draft();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => edit(control, ev.id, [`A${i}`, `B${i}`], '"0"')));
    const won = answers.filter((a) => a.status === 200).length;
    process.stdout.write(`[event-edit] control: ${won} of 10 concurrent edits won; groups ${JSON.stringify(await groupsIn(ev.id))}\n`);
    expect(won).toBeGreaterThan(1);
  });

  test('10 edits made on the same page at once → one wins, the rest EVENT_EDIT_CONFLICT; the groups are the winner’s', async () => {
    const ev = await draft();
    expect(ev.rev).toBe(0);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => edit(stack, ev.id, [`A${i}`, `B${i}`], `"${ev.rev}"`)));
    const winners = answers.map((a, i) => (a.status === 200 ? i : -1)).filter((i) => i >= 0);
    expect(winners).toHaveLength(1);
    expect(new Set(answers.filter((a) => a.status !== 200).map((a) => a.body.error.code))).toEqual(new Set(['EVENT_EDIT_CONFLICT']));
    expect(await groupsIn(ev.id)).toEqual([`A${winners[0]}`, `B${winners[0]}`]);
    const rev = answers[winners[0]].body.event.rev;
    expect(rev).toBe(1);
    // the stale page is refused; the page that read the new rev saves
    expect((await edit(stack, ev.id, ['旧页面'], '"0"')).body.error.code).toBe('EVENT_EDIT_CONFLICT');
    expect((await edit(stack, ev.id, ['全程'], `W/"${rev}"`)).status).toBe(200);
    expect(await groupsIn(ev.id)).toEqual(['全程']);
  });

  test('edits without If-Match never leave a mix: each replaces the groups whole', async () => {
    const ev = await draft();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => edit(stack, ev.id, [`A${i}`, `B${i}`, `C${i}`])));
    const groups = await groupsIn(ev.id);
    expect(groups).toHaveLength(3);
    const winner = groups[0].slice(1);
    expect(groups).toEqual([`A${winner}`, `B${winner}`, `C${winner}`]);
    expect(answers[Number(winner)].status).toBe(200);
    for (const a of answers) expect([200, 409]).toContain(a.status);
  });

  test('a malformed If-Match → 400, nothing written', async () => {
    const ev = await draft();
    for (const bad of ['abc', '"1" OR 1', '$gt', 'x'.repeat(100)]) {
      const res = await edit(stack, ev.id, ['不该写入'], bad);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await groupsIn(ev.id)).toEqual(['10公里']);
  });

  test('a crash between the edit and its groups: the old groups stay whole, the sweeper writes the new ones', async () => {
    const ev = await draft();
    crashes.arm('event.update:after-transition');
    expect((await edit(stack, ev.id, ['迷你跑', '亲子跑'])).status).toBe(500);
    expect(await groupsIn(ev.id)).toEqual(['10公里']); // never none, never a mix
    clock.set(new Date(BASE.getTime() + 60_000));
    await job('event-windows');
    expect(await groupsIn(ev.id)).toEqual(['迷你跑', '亲子跑']);
    const doc = await db()
      .collection('events')
      .findOne({ _id: new mongoose.Types.ObjectId(ev.id) });
    expect({ pending: doc?.pending, draft: doc?.groupsDraft }).toEqual({ pending: [], draft: null });
  });

  test('publishing right after a crashed edit writes its groups first', async () => {
    const ev = await draft();
    crashes.arm('event.update:after-transition');
    expect((await edit(stack, ev.id, ['迷你跑'])).status).toBe(500);
    const published = await stack.request('POST', `/organiser/events/${ev.id}/publish`, { token: org.token });
    expect(published.status).toBe(200);
    expect(published.body.event.groups.map((g: { name: string }) => g.name)).toEqual(['迷你跑']);
    expect(await groupsIn(ev.id)).toEqual(['迷你跑']);
  });

  test('a crash after the groups of a new event are written leaves no event without groups', async () => {
    const before = await db().collection('events').countDocuments();
    crashes.arm('event.create:after-groups');
    expect(
      (await stack.request('POST', '/organiser/events', { token: org.token, body: eventInput({ name: '崩溃测试赛' }, FREE) })).status,
    ).toBe(500);
    expect(await db().collection('events').countDocuments()).toBe(before);
    const mine = await stack.request('GET', '/organiser/events', { token: org.token });
    expect(mine.status).toBe(200);
    expect(JSON.stringify(mine.body)).not.toContain('崩溃测试赛');
  });
});

describe('成绩证书', () => {
  let ev: { id: string; groups: { id: string }[] };
  let mine: string;
  beforeAll(async () => {
    ev = await openEvent(stack, org, eventInput({}, FREE));
    mine = (await register(runner.token, ev.id, ev.groups[0].id, idNumber('1988-04-02', 900), '陈小明')).body.registration.id;
    await register(other.token, ev.id, ev.groups[0].id, idNumber('1992-04-02', 901, 'F'), '林晓');
    await stack.request('POST', `/organiser/events/${ev.id}/close`, { token: org.token });
    await stack.request('POST', `/organiser/events/${ev.id}/bibs`, { token: org.token });
    const bibs = await db()
      .collection('event_registrations')
      .find({ eventId: new mongoose.Types.ObjectId(ev.id), status: 'confirmed' })
      .sort({ bib: 1 })
      .toArray();
    const csv = ['bib,gun,chip', `${bibs[0].bib},0:45:10,0:44:58`, `${bibs[1].bib},0:50:00,0:49:30`].join('\n');
    expect((await stack.request('POST', `/organiser/events/${ev.id}/results`, { token: org.token, body: { csv } })).body.imported).toBe(2);
  });

  test('the runner gets an SVG with their real name, times and ranks; others → 404; anyone verifies the code (masked)', async () => {
    const list = await stack.request('GET', '/registrations/mine', { token: runner.token });
    expect(list.body.items.find((r: { id: string }) => r.id === mine).hasResult).toBe(true);
    const svg = await stack.request('GET', `/registrations/${mine}/certificate`, { token: runner.token });
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    const text = String(svg.body);
    for (const s of ['成绩证书', '陈小明', '0:44:58', '0:45:10', '第 1 名']) expect(text).toContain(s);
    const json = await stack.request('GET', `/registrations/${mine}/certificate?format=json`, { token: runner.token });
    expect(json.body.certificate).toMatchObject({ name: '陈小明', chipTime: '0:44:58', rankOverall: 1, rankGroup: 1, rankGender: 1 });
    expect(json.body.image).toMatch(/^data:image\/svg\+xml;base64,/);
    const code = json.body.certificate.code;
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{10}$/);

    expect((await stack.request('GET', `/registrations/${mine}/certificate`, { token: other.token })).status).toBe(404);
    expect((await stack.request('GET', `/registrations/${mine}/certificate`)).status).toBe(401);
    const pub = await stack.request('GET', `/certificates/${code}`);
    expect(pub.status).toBe(200);
    expect(pub.body.certificate).toEqual({
      code,
      eventName: '测试城市半程马拉松',
      eventDay: '2027-03-22',
      groupName: '10公里',
      name: '陈**',
      gunTime: '0:45:10',
      chipTime: '0:44:58',
    });
    expect((await stack.request('GET', '/certificates/AAAAAAAAAA')).body.error.code).toBe('CERTIFICATE_NOT_FOUND');
    for (const bad of ['x', '{"$ne":null}', 'A'.repeat(200), 'aaaaaaaaaa'])
      expect((await stack.request('GET', `/certificates/${encodeURIComponent(bad)}`)).status).toBe(400);
    expect((await stack.request('GET', `/registrations/${mine}/certificate?format=$ne`, { token: runner.token })).status).toBe(400);
  });

  test('an entry without a result has no certificate', async () => {
    const ev2 = await openEvent(stack, org, eventInput({}, FREE));
    const r = (await register(runner.token, ev2.id, ev2.groups[0].id, idNumber('1988-04-02', 902))).body.registration;
    expect(r.hasResult).toBe(false);
    const res = await stack.request('GET', `/registrations/${r.id}/certificate`, { token: runner.token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('RESULT_NOT_FOUND');
  });
});

describe('subscribe messages', () => {
  const consent = (token: string, templateIds: string[]) =>
    stack.request('POST', '/notifications/subscriptions', { token, body: { templateIds, accepted: true } });
  const sent = (openid: string, templateId: string) =>
    stack.mock.sentMessages.filter((m) => m.touser === openid && m.template_id === templateId);

  test('draw result and pay-by once each per registration (job run twice); start reminder the day before; only with consent', async () => {
    const lucky = await stack.login('msg-lucky');
    const silent = await stack.login('msg-silent');
    const ev = await openEvent(
      stack,
      org,
      eventInput(
        {
          registration: {
            mode: 'lottery',
            opensAt: '2027-01-01T00:00:00.000Z',
            closesAt: '2027-02-01T00:00:00.000Z',
            paymentDeadline: '2027-02-10T00:00:00.000Z',
          },
        },
        [{ name: '半程马拉松', capacity: 10, feeFen: 10000, eligibility: {} }],
      ),
    );
    await consent(lucky.token, ['event_draw_result', 'event_pay_deadline', 'event_start_reminder']);
    await consent(lucky.token, ['event_start_reminder']);
    const a = await register(lucky.token, ev.id, ev.groups[0].id, idNumber('1990-01-01', 950));
    await register(silent.token, ev.id, ev.groups[0].id, idNumber('1990-01-01', 951));
    expect(a.status).toBe(201);
    await stack.request('POST', `/organiser/events/${ev.id}/close`, { token: org.token });
    expect((await stack.request('POST', `/organiser/events/${ev.id}/draw`, { token: org.token })).status).toBe(200);
    await job('event-heal'); // the winners' orders

    await Promise.all([job('event-messages'), job('event-messages')]);
    await job('event-messages');
    expect(sent('msg-lucky', 'event_draw_result')).toHaveLength(1);
    expect(sent('msg-lucky', 'event_draw_result')[0].data).toMatchObject({
      phrase2: { value: '已中签' },
      thing3: { value: '请于2月10日 08:00前支付' },
    });
    expect(sent('msg-silent', 'event_draw_result')).toHaveLength(0); // no consent: nothing sent
    expect(sent('msg-lucky', 'event_pay_deadline')).toHaveLength(0); // not yet within 24 h

    clock.set(new Date('2027-02-09T06:00:00Z'));
    await job('event-messages');
    await job('event-messages');
    expect(sent('msg-lucky', 'event_pay_deadline')).toHaveLength(1);
    const orderId = (await db()
      .collection('event_registrations')
      .findOne({ _id: new mongoose.Types.ObjectId(a.body.registration.id) }))!.orderId;
    await pay.pay(orderId);

    clock.set(new Date('2027-03-20T12:00:00Z')); // two days before: not yet
    await job('event-messages');
    expect(sent('msg-lucky', 'event_start_reminder')).toHaveLength(0);
    clock.set(new Date('2027-03-21T01:00:00Z')); // 2027-03-21 09:00 in Shanghai, the race is tomorrow
    await Promise.all([job('event-messages'), job('event-messages')]);
    await job('event-messages');
    const start = sent('msg-lucky', 'event_start_reminder');
    expect(start).toHaveLength(1); // two consents, one message
    expect(start[0].data).toMatchObject({ thing1: { value: '测试城市半程马拉松' } });
  });
});

describe('registering (issue 11: fewer round trips, the same guarantees)', () => {
  let n = 7000;
  const nextId = () => idNumber('1990-01-01', n++);
  const oid = (id: string) => new mongoose.Types.ObjectId(id);
  const remaining = async (groupId: string) =>
    (
      await db()
        .collection('event_groups')
        .findOne({ _id: oid(groupId) })
    )?.remaining;
  const regsOf = (eventId: string) =>
    db()
      .collection('event_registrations')
      .find({ eventId: oid(eventId) })
      .toArray();

  test('a crash after the transition: the sweeper issues the ticket (naming the participant) and the event', async () => {
    const ev = await openEvent(stack, org, eventInput({}, FREE));
    crashes.arm('event.register:after-transition');
    expect((await register(runner.token, ev.id, ev.groups[0].id, nextId(), '赵六')).status).toBe(500);
    const [doc] = await regsOf(ev.id);
    expect(doc).toMatchObject({ status: 'confirmed', pending: ['tickets.issue', 'event.registered'] });
    expect(await ticketsOf(String(doc._id))).toHaveLength(0);
    clock.set(new Date(BASE.getTime() + 60_000));
    await job('event-heal');
    const tickets = await ticketsOf(String(doc._id));
    expect(tickets.map((t) => [t.status, t.holderName])).toEqual([['valid', '赵*']]);
    expect(
      await db()
        .collection('outbox')
        .countDocuments({ eventId: `event.registered:${doc._id}` }),
    ).toBe(1);
    expect((await db().collection('event_registrations').findOne({ _id: doc._id }))?.pending).toEqual([]);
    expect(await remaining(ev.groups[0].id)).toBe(199);
  });

  test('a crash between the insert and the take: the healer rolls it back, no place was taken, the ID enters again', async () => {
    const ev = await openEvent(stack, org, eventInput({}, FREE));
    const id = nextId();
    crashes.arm('event.register:after-insert');
    expect((await register(runner.token, ev.id, ev.groups[0].id, id)).status).toBe(500);
    expect((await regsOf(ev.id)).map((r) => r.status)).toEqual(['taking']);
    clock.set(new Date(BASE.getTime() + 3 * 60_000));
    await job('event-heal');
    expect((await regsOf(ev.id)).map((r) => r.status)).toEqual(['failed']);
    expect(await remaining(ev.groups[0].id)).toBe(200);
    const again = await register(runner.token, ev.id, ev.groups[0].id, id);
    expect([again.status, again.body.registration?.status]).toEqual([201, 'confirmed']);
    expect(await remaining(ev.groups[0].id)).toBe(199);
  });

  test('closed through another instance while this one still holds the open event: EVENT_NOT_OPEN, nothing taken or kept', async () => {
    const ev = await openEvent(stack, org, eventInput({}, FREE));
    const viaPeer = (token: string, id: string) =>
      peer.request('POST', `/events/${ev.id}/registrations`, {
        token,
        body: { groupId: ev.groups[0].id, participant: participant(id), healthPledge: true, pledgeVersion: 'v1' },
      });
    expect((await viaPeer(runner.token, nextId())).status).toBe(201); // the peer now keeps the event as open
    expect((await stack.request('POST', `/organiser/events/${ev.id}/close`, { token: org.token })).status).toBe(200);
    const late = await viaPeer(other.token, nextId());
    expect([late.status, late.body.error.code]).toEqual([422, 'EVENT_NOT_OPEN']);
    // the group's guarded take refused it: the place is still there and the attempt left no record
    expect(await remaining(ev.groups[0].id)).toBe(199);
    expect((await regsOf(ev.id)).map((r) => r.status)).toEqual(['confirmed']);
    // the refusal made the peer forget its copy: the next one is refused before anything is written
    const next = await viaPeer(other.token, nextId());
    expect([next.status, next.body.error.code]).toEqual([422, 'EVENT_NOT_OPEN']);
    expect(next.body.error.details).toMatchObject({ closesAt: '2027-02-01T00:00:00.000Z' });
  });
});

/**
 * Bad input on every event-registration endpoint: wrong types, missing fields, huge strings,
 * $-operators, prototype keys, other users' registrations and teams, other organisers' events —
 * each a 4xx with a stable code, and nothing written (the whole database compared before and after).
 */
import { ManualClock } from '../../cloud/src/platform/clock';
import { snapshotDatabase } from '../support/db';
import { startTestStack, type TestStack } from '../support/stack';
import { eventInput, idNumber, openEvent, organiser, participant } from '../support/event-fixture';

const clock = new ManualClock(new Date('2027-01-10T02:00:00Z'));
let stack: TestStack;
const who: Record<'org' | 'other' | 'citizen' | 'stranger', { token: string; userId: string }> = {} as never;
let ev: { id: string; groups: { id: string }[] };
let teamEv: { id: string; groups: { id: string }[] };
let otherEv: { id: string; groups: { id: string }[] };
let regId: string;
let teamId: string;

beforeAll(async () => {
  stack = await startTestStack('event-sweep', { clock });
  who.org = await organiser(stack, 'sweep-org');
  who.other = await organiser(stack, 'sweep-org-2');
  who.citizen = await stack.login('sweep-runner');
  who.stranger = await stack.login('sweep-stranger');
  ev = await openEvent(stack, who.org, eventInput({}, [{ name: '10公里', capacity: 10, feeFen: 0, eligibility: {} }]));
  teamEv = await openEvent(
    stack,
    who.org,
    eventInput({ kind: 'league' }, [{ name: '团体', capacity: 10, feeFen: 0, eligibility: {}, team: { minSize: 2, maxSize: 4 } }]),
  );
  otherEv = await openEvent(stack, who.other, eventInput({}, [{ name: '5公里', capacity: 10, feeFen: 0, eligibility: {} }]));
  const r = await stack.request('POST', `/events/${ev.id}/registrations`, {
    token: who.citizen.token,
    body: { groupId: ev.groups[0].id, participant: participant(idNumber('1990-01-01', 1)), healthPledge: true },
  });
  regId = r.body.registration.id;
  teamId = (
    await stack.request('POST', `/events/${teamEv.id}/teams`, {
      token: who.citizen.token,
      body: { groupId: teamEv.groups[0].id, name: '队' },
    })
  ).body.team.id;
}, 120_000);
afterAll(() => stack.stop());

const entry = (over: Record<string, unknown> = {}) => ({
  groupId: ev.groups[0].id,
  participant: participant(idNumber('1991-02-02', 2)),
  healthPledge: true,
  ...over,
});
const huge = 'x'.repeat(5000);
const missing = '0123456789abcdef01234567';

type Case = [string, string, () => string, (() => unknown) | undefined, number, string, keyof typeof who, Record<string, string>?];
const cases: Case[] = [
  ['list: unknown sport', 'GET', () => '/events?sport=quidditch', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['list: $-operator in the query', 'GET', () => '/events?district[$ne]=x', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['list: bad cursor', 'GET', () => '/events?cursor=nope', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['list: bad month', 'GET', () => '/events?month=2027-13', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['detail: not an id', 'GET', () => '/events/abc', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ['detail: no such event', 'GET', () => `/events/${missing}`, undefined, 404, 'EVENT_NOT_FOUND', 'citizen'],
  ['draw: a first-come event has none', 'GET', () => `/events/${ev.id}/draw`, undefined, 404, 'EVENT_NOT_FOUND', 'citizen'],
  ['draw entries: not before the close', 'GET', () => `/events/${ev.id}/draw/entries`, undefined, 409, 'DRAW_NOT_READY', 'citizen'],
  [
    'draw entries: limit too large',
    'GET',
    () => `/events/${ev.id}/draw/entries?limit=999999`,
    undefined,
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  ['results: huge query', 'GET', () => `/events/${ev.id}/results?q=${'x'.repeat(200)}`, undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  [
    'register: groupId of the wrong type',
    'POST',
    () => `/events/${ev.id}/registrations`,
    () => entry({ groupId: 42 }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'register: $-operator as groupId',
    'POST',
    () => `/events/${ev.id}/registrations`,
    () => entry({ groupId: { $gt: '' } }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'register: participant missing',
    'POST',
    () => `/events/${ev.id}/registrations`,
    () => entry({ participant: undefined }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'register: huge name',
    'POST',
    () => `/events/${ev.id}/registrations`,
    () => entry({ participant: { ...participant(idNumber('1991-02-02', 2)), name: huge } }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'register: $-operator in the ID number',
    'POST',
    () => `/events/${ev.id}/registrations`,
    () => entry({ participant: { ...participant('x'), idNumber: { $ne: null } } }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'register: prototype key',
    'POST',
    () => `/events/${ev.id}/registrations`,
    () => JSON.parse(`{"__proto__": {"admin": true}, "groupId": "${ev.groups[0].id}"}`),
    400,
    'BAD_JSON',
    'citizen',
  ],
  [
    'register: healthPledge as a string',
    'POST',
    () => `/events/${ev.id}/registrations`,
    () => entry({ healthPledge: 'yes' }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'register: invalid ID number',
    'POST',
    () => `/events/${ev.id}/registrations`,
    () => entry({ participant: participant('110105199001011234') }),
    400,
    'ID_NUMBER_INVALID',
    'citizen',
  ],
  [
    'register: a group of another event',
    'POST',
    () => `/events/${ev.id}/registrations`,
    () => entry({ groupId: otherEv.groups[0].id }),
    404,
    'GROUP_NOT_FOUND',
    'citizen',
  ],
  [
    'register: bad Idempotency-Key',
    'POST',
    () => `/events/${ev.id}/registrations`,
    () => entry(),
    400,
    'VALIDATION_FAILED',
    'citizen',
    { 'idempotency-key': '$bad key' },
  ],
  [
    'register: not logged in',
    'POST',
    () => `/events/${ev.id}/registrations`,
    () => entry(),
    401,
    'UNAUTHENTICATED',
    'stranger',
    { authorization: '' },
  ],
  ['mine: limit not a number', 'GET', () => '/registrations/mine?limit=abc', undefined, 400, 'VALIDATION_FAILED', 'citizen'],
  ["registration: another user's", 'GET', () => `/registrations/${regId}`, undefined, 404, 'REGISTRATION_NOT_FOUND', 'stranger'],
  [
    "cancel: another user's registration",
    'POST',
    () => `/registrations/${regId}/cancel`,
    () => ({}),
    404,
    'REGISTRATION_NOT_FOUND',
    'stranger',
  ],
  [
    'cancel: $-operator as reason',
    'POST',
    () => `/registrations/${regId}/cancel`,
    () => ({ reason: { $ne: 1 } }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'team: groupId not an id',
    'POST',
    () => `/events/${teamEv.id}/teams`,
    () => ({ groupId: 'x', name: '队' }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'team: huge name',
    'POST',
    () => `/events/${teamEv.id}/teams`,
    () => ({ groupId: teamEv.groups[0].id, name: huge }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  [
    'team: a group without teams',
    'POST',
    () => `/events/${ev.id}/teams`,
    () => ({ groupId: ev.groups[0].id, name: '队' }),
    400,
    'VALIDATION_FAILED',
    'citizen',
  ],
  ["team: another user's team", 'GET', () => `/teams/${teamId}`, undefined, 404, 'TEAM_NOT_FOUND', 'stranger'],
  ['organiser: a citizen cannot create', 'POST', () => '/organiser/events', () => eventInput(), 403, 'FORBIDDEN', 'citizen'],
  [
    'organiser: capacity as a string',
    'POST',
    () => '/organiser/events',
    () => eventInput({}, [{ name: 'A', capacity: '100', feeFen: 0 }]),
    400,
    'VALIDATION_FAILED',
    'org',
  ],
  ['organiser: no groups', 'POST', () => '/organiser/events', () => eventInput({}, []), 400, 'VALIDATION_FAILED', 'org'],
  [
    'organiser: start not a date',
    'POST',
    () => '/organiser/events',
    () => eventInput({ startAt: 'tomorrow' }),
    400,
    'VALIDATION_FAILED',
    'org',
  ],
  [
    'organiser: $-operator as name',
    'POST',
    () => '/organiser/events',
    () => eventInput({ name: { $gt: '' } }),
    400,
    'VALIDATION_FAILED',
    'org',
  ],
  [
    'organiser: huge description',
    'POST',
    () => '/organiser/events',
    () => eventInput({ description: huge }),
    400,
    'VALIDATION_FAILED',
    'org',
  ],
  [
    'organiser: window closes after the start',
    'POST',
    () => '/organiser/events',
    () => eventInput({ registration: { mode: 'first_come', opensAt: '2027-01-01T00:00:00Z', closesAt: '2027-12-01T00:00:00Z' } }),
    400,
    'VALIDATION_FAILED',
    'org',
  ],
  [
    'organiser: lottery without a payment deadline',
    'POST',
    () => '/organiser/events',
    () => eventInput({ registration: { mode: 'lottery', opensAt: '2027-01-01T00:00:00Z', closesAt: '2027-02-01T00:00:00Z' } }),
    400,
    'VALIDATION_FAILED',
    'org',
  ],
  [
    "organiser: edit another organiser's event",
    'PUT',
    () => `/organiser/events/${otherEv.id}`,
    () => eventInput(),
    404,
    'EVENT_NOT_FOUND',
    'org',
  ],
  [
    'organiser: edit once registration is open',
    'PUT',
    () => `/organiser/events/${ev.id}`,
    () => eventInput(),
    409,
    'EVENT_STATE_CONFLICT',
    'org',
  ],
  [
    "organiser: close another organiser's event",
    'POST',
    () => `/organiser/events/${otherEv.id}/close`,
    undefined,
    404,
    'EVENT_NOT_FOUND',
    'org',
  ],
  ['organiser: publish an open event', 'POST', () => `/organiser/events/${ev.id}/publish`, undefined, 409, 'EVENT_STATE_CONFLICT', 'org'],
  [
    "organiser: draw another organiser's event",
    'POST',
    () => `/organiser/events/${otherEv.id}/draw`,
    undefined,
    404,
    'EVENT_NOT_FOUND',
    'org',
  ],
  ['organiser: draw a first-come event', 'POST', () => `/organiser/events/${ev.id}/draw`, undefined, 409, 'EVENT_STATE_CONFLICT', 'org'],
  [
    'organiser: export format unknown',
    'GET',
    () => `/organiser/events/${ev.id}/registrations?format=pdf`,
    undefined,
    400,
    'VALIDATION_FAILED',
    'org',
  ],
  [
    "organiser: another organiser's registrations",
    'GET',
    () => `/organiser/events/${otherEv.id}/registrations`,
    undefined,
    404,
    'EVENT_NOT_FOUND',
    'org',
  ],
  ['organiser: bibs before the close', 'POST', () => `/organiser/events/${ev.id}/bibs`, undefined, 409, 'EVENT_STATE_CONFLICT', 'org'],
  [
    "organiser: bibs on another organiser's event",
    'POST',
    () => `/organiser/events/${otherEv.id}/bibs`,
    undefined,
    404,
    'EVENT_NOT_FOUND',
    'org',
  ],
  [
    'organiser: results csv not a string',
    'POST',
    () => `/organiser/events/${ev.id}/results`,
    () => ({ csv: 123 }),
    400,
    'VALIDATION_FAILED',
    'org',
  ],
  [
    "organiser: results on another organiser's event",
    'POST',
    () => `/organiser/events/${otherEv.id}/results`,
    () => ({ csv: 'A1,1:00:00,1:00:00' }),
    404,
    'EVENT_NOT_FOUND',
    'org',
  ],
  [
    'organiser: results body too large',
    'POST',
    () => `/organiser/events/${ev.id}/results`,
    () => ({ csv: 'A1,1:00:00,1:00:00\n'.repeat(5000) }),
    413,
    'PAYLOAD_TOO_LARGE',
    'org',
  ],
];

// rest parameters: jest reads a declared last parameter beyond the row as a `done` callback
test.each(cases)('%s', async (...row) => {
  const [, method, path, body, status, code, as, headers] = row as Case;
  const before = await snapshotDatabase();
  const token = headers?.authorization === '' ? undefined : who[as].token;
  const h = { ...headers };
  delete h.authorization;
  const res = await stack.request(method, path(), { token, body: body?.(), headers: h });
  expect([res.status, res.body?.error?.code]).toEqual([status, code]);
  expect(await snapshotDatabase()).toEqual(before);
});

/**
 * 200 citizens racing for a 30-place guidance session, through HTTP on the real app and engine.
 * The control run (controlRunWithoutGuards: the kernel's one switch) shows the race the guarded
 * capacity take prevents; then the real app gives out exactly 30 places and 30 tickets.
 * And one citizen checking in with the session's rotating code 50 times at once: the control run
 * admits more than once, the real app once.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, type TestStack } from '../support/stack';
import { PLACE, adminUser, publish, verifiedInstructor } from '../support/guidance-fixture';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
let stack: TestStack;
let control: TestStack;
let coach: { token: string; userId: string };
let citizens: { token: string; userId: string }[];
const db = () => mongoose.connection.db!;

beforeAll(async () => {
  stack = await startTestStack('guidancerace', { clock });
  control = await startTestStack('guidancerace-control', { clock, reuseConnection: true, appDeps: { controlRunWithoutGuards: true } });
  const admin = await adminUser(stack);
  coach = await verifiedInstructor(stack, 'race-coach', admin);
  citizens = await stack.loginMany('guidance-racer', 200);
}, 120_000);
afterAll(async () => {
  await control.stop();
  await stack.stop();
});

async function rush(target: TestStack, sessionId: string) {
  const results = await Promise.all(
    citizens.map((c) => target.request('POST', `/guidance/sessions/${sessionId}/signups`, { token: c.token })),
  );
  return {
    created: results.filter((r) => r.status === 201).length,
    full: results.filter((r) => r.body?.error?.code === 'GUIDANCE_SESSION_FULL').length,
    errors: results.filter((r) => r.status >= 500).length,
  };
}

const confirmed = (sessionId: string) =>
  db()
    .collection('guidance_signups')
    .countDocuments({ sessionId: new mongoose.Types.ObjectId(sessionId), status: 'confirmed' });
const validTickets = (sessionId: string) =>
  db()
    .collection('tickets')
    .countDocuments({ 'source.kind': 'guidance', venueId: new mongoose.Types.ObjectId(sessionId), status: 'valid' });

test('control: without the guard, more than 30 citizens get one of 30 places', async () => {
  const s = await publish(stack, coach, new Date(clock.now().getTime() + 24 * 3600_000), { capacity: 30 });
  const { created } = await rush(control, s.id);
  process.stdout.write(`[race] guidance control: ${created} sign-ups for 30 places\n`);
  expect(created).toBeGreaterThan(30);
  expect(await confirmed(s.id)).toBeGreaterThan(30);
});

test('with the guard: exactly 30 sign-ups and 30 tickets, 170 GUIDANCE_SESSION_FULL, remaining 0', async () => {
  const s = await publish(stack, coach, new Date(clock.now().getTime() + 24 * 3600_000), { capacity: 30 });
  const { created, full, errors } = await rush(stack, s.id);
  process.stdout.write(`[race] guidance guarded: ${created} sign-ups for 30 places, ${full} full\n`);
  expect(created).toBe(30);
  expect(full).toBe(170);
  expect(errors).toBe(0);
  expect(await confirmed(s.id)).toBe(30);
  expect(await validTickets(s.id)).toBe(30);
  const doc = await db()
    .collection('guidance_sessions')
    .findOne({ _id: new mongoose.Types.ObjectId(s.id) });
  expect(doc?.remaining).toBe(0);
});

describe('one citizen checking in with the session code 50 times at once', () => {
  async function ready() {
    const start = new Date(clock.now().getTime() + 3 * 3600_000);
    const s = await publish(stack, coach, start, { capacity: 5 });
    const citizen = citizens[0];
    expect((await stack.request('POST', `/guidance/sessions/${s.id}/signups`, { token: citizen.token })).status).toBe(201);
    return { s, citizen, start };
  }
  async function burst(target: TestStack, s: { id: string }, citizen: { token: string }, start: Date) {
    const saved = clock.now();
    clock.set(new Date(start.getTime() - 10 * 60_000));
    try {
      const checkedIn = await stack.request('POST', `/instructor/sessions/${s.id}/check-in`, {
        token: coach.token,
        body: { ...PLACE, accuracyM: 8 },
      });
      expect(checkedIn.status).toBe(200);
      const { code } = (await stack.request('GET', `/instructor/sessions/${s.id}/code`, { token: coach.token })).body;
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          target.request('POST', `/guidance/sessions/${s.id}/check-in`, { token: citizen.token, body: { code, ...PLACE, accuracyM: 10 } }),
        ),
      );
      const admissions = await db()
        .collection('verifications')
        .countDocuments({ venueId: new mongoose.Types.ObjectId(s.id), result: 'admitted' });
      return {
        ok: results.filter((r) => r.status === 200).length,
        already: results.filter((r) => r.body?.error?.code === 'GUIDANCE_ALREADY_ATTENDED').length,
        errors: results.filter((r) => r.status >= 500).length,
        admissions,
      };
    } finally {
      clock.set(saved);
    }
  }

  test('control: without the guards, the same citizen is admitted more than once', async () => {
    const { s, citizen, start } = await ready();
    const r = await burst(control, s, citizen, start);
    process.stdout.write(`[race] session-code control: ${r.ok} check-ins, ${r.admissions} admissions of one citizen\n`);
    expect(r.admissions).toBeGreaterThan(1);
  });

  test('with the guards: one attendance, 49 GUIDANCE_ALREADY_ATTENDED, no 5xx', async () => {
    const { s, citizen, start } = await ready();
    const r = await burst(stack, s, citizen, start);
    process.stdout.write(`[race] session-code guarded: ${r.ok} check-in, ${r.already} already attended\n`);
    expect(r).toEqual({ ok: 1, already: 49, errors: 0, admissions: 1 });
    const signup = await db()
      .collection('guidance_signups')
      .findOne({ _id: `${s.id}:${citizen.userId}` as never });
    expect(signup?.status).toBe('attended');
    expect(await db().collection('outbox').countDocuments({ type: 'guidance.attended', 'payload.sessionId': s.id })).toBe(1);
    expect(
      await db()
        .collection('tickets')
        .countDocuments({ venueId: new mongoose.Types.ObjectId(s.id), status: 'used' }),
    ).toBe(1);
  });
});

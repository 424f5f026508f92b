/**
 * Regression tests for review defects of the venue manager's tools (issue 8, item 5): a rules
 * patch changes only what it names, rules and template edits are audited, close-day refuses a
 * date that is not on the calendar.
 */
import mongoose from 'mongoose';
import { ManualClock } from '../../cloud/src/platform/clock';
import { startTestStack, grant, type TestStack } from '../support/stack';
import { createTestVenue } from '../support/venue-fixture';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
let stack: TestStack;
let manager: { token: string; userId: string };
let venueId: string;
let courtId: string;
const audit = (action: string) => mongoose.connection.db!.collection('audit_log').find({ action }).toArray();

beforeAll(async () => {
  stack = await startTestStack('managedefects', { clock });
  ({ venueId, courtId } = await createTestVenue(stack, { name: '规则馆', rules: { advanceDays: 5, holdMinutes: 12 } }));
  manager = await stack.login('defect-manager');
  await grant(stack, manager.userId, 'venue_manager', venueId);
});
afterAll(() => stack.stop());

test('a rules patch changes only the fields it names (non-default values elsewhere are kept)', async () => {
  const res = await stack.request('PUT', `/manage/venues/${venueId}/rules`, { token: manager.token, body: { maxCompanions: 1 } });
  expect(res.status).toBe(200);
  // advanceDays 5 and holdMinutes 12 are not the defaults (7, 10): a reset would show here
  expect(res.body.venue.rules).toMatchObject({ maxCompanions: 1, advanceDays: 5, holdMinutes: 12 });
  const stored = await mongoose.connection.db!.collection('venues').findOne({ _id: new mongoose.Types.ObjectId(venueId) });
  expect(stored?.rules).toMatchObject({ maxCompanions: 1, advanceDays: 5, holdMinutes: 12 });
});

test('a rules edit is audited with who changed what, from and to', async () => {
  await stack.request('PUT', `/manage/venues/${venueId}/rules`, { token: manager.token, body: { holdMinutes: 15 } });
  const rows = await audit('rules.update');
  const row = rows.find((r) => r.details?.changes?.holdMinutes);
  expect(row).toMatchObject({ details: { venueId, changes: { holdMinutes: { from: 12, to: 15 } } } });
  expect(String(row?.actorId)).toBe(manager.userId);
});

test('a template edit is audited', async () => {
  const templates = [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '10:00', priceFen: 2500, capacity: 1 }];
  const res = await stack.request('PUT', `/manage/resources/${courtId}/templates`, { token: manager.token, body: { templates } });
  expect(res.status).toBe(200);
  const rows = await audit('templates.update');
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ details: { venueId, resourceId: courtId, to: templates } });
  expect(String(rows[0].actorId)).toBe(manager.userId);
});

test.each(['2026-13-45', '2026-02-30', '2026-00-10'])(
  'close-day refuses %s with 400 VALIDATION_FAILED and closes nothing',
  async (date) => {
    const before = await mongoose.connection.db!.collection('slots').countDocuments({ status: 'closed' });
    const res = await stack.request('POST', `/manage/venues/${venueId}/close-day`, {
      token: manager.token,
      body: { date, reason: '测试日期' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(await mongoose.connection.db!.collection('slots').countDocuments({ status: 'closed' })).toBe(before);
    expect(await audit('day.close')).toHaveLength(0);
  },
);

/**
 * The data-centre event contract (issue 17, item 1): every registered event type has a versioned
 * schema whose example it accepts and in which the personal-data scan finds nothing; `emit`
 * refuses a payload carrying personal data; docs/datacentre.md is what the generator writes.
 * The list of types is read from the registry, so types other domains register are covered.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EVENT_CONTRACTS, EVENT_TYPES, findPersonalData, ageBand } from '@citysport/shared';
import { checkEvent, emit, EventContractViolation } from '../../cloud/src/platform/outbox';
import { renderContractDoc } from '../../cloud/src/modules/datacentre/contract-doc';
import { createPseudonymizer } from '../../cloud/src/platform/pseudonym';

describe('every registered event type', () => {
  test('the registry lists the types, each with a schema version, an aggregate field and an example', () => {
    expect(EVENT_TYPES.length).toBeGreaterThanOrEqual(17);
    for (const t of EVENT_TYPES) {
      const c = EVENT_CONTRACTS[t];
      expect(c.schemaVersion).toBeGreaterThanOrEqual(1);
      expect(Object.keys(c.example as object)).toContain(c.aggregate);
    }
  });

  test.each(EVENT_TYPES)('%s: its example passes its schema and the personal-data scan', (t) => {
    const c = EVENT_CONTRACTS[t];
    expect(c.schema.safeParse(c.example).success).toBe(true);
    expect(findPersonalData(c.example, c.publicText)).toEqual([]);
    expect(() => checkEvent(t, c.example)).not.toThrow();
  });

  test.each(EVENT_TYPES)('%s: an added personal field is refused (the schema is strict and the scan looks everywhere)', (t) => {
    const c = EVENT_CONTRACTS[t];
    expect(() => checkEvent(t, { ...(c.example as object), phone: '13812345678' })).toThrow(EventContractViolation);
    expect(() => checkEvent(t, { ...(c.example as object), realName: '张三' })).toThrow(EventContractViolation);
  });
});

describe('the personal-data scan', () => {
  test('finds mobile and ID numbers, e-mails, names, birth dates and free texts anywhere', () => {
    expect(findPersonalData({ a: { b: ['call 13912345678'] } })).toEqual([{ path: 'a.b', why: 'a mobile number' }]);
    expect(findPersonalData({ x: '110101199003071234' }).map((f) => f.why)).toContain('an ID number');
    expect(findPersonalData({ contact: 'a.b@example.com' }).map((f) => f.why)).toContain('an e-mail address');
    expect(findPersonalData({ name: 'x' }).map((f) => f.path)).toEqual(['name']);
    expect(findPersonalData({ birthDate: '1990-03-07' }).map((f) => f.path)).toEqual(['birthDate']);
    expect(findPersonalData({ remark: '王先生说' }).length).toBe(2);
    expect(findPersonalData({ comment2: '今天来打球' })).toEqual([{ path: 'comment2', why: 'a name or free text' }]);
    expect(findPersonalData({ phoneNumber: 13812345678 })).toEqual([{ path: 'phoneNumber', why: 'a mobile number' }]);
  });
  test('lets ids, amounts, districts and the public text a contract names pass', () => {
    // ObjectIds and pseudonyms whose digit runs look like an ID or a mobile number (seen in about one id in five)
    expect(findPersonalData({ bookingId: '692e1a123456789012345678', ticketId: '692e1a13912345678aaaaaaa' })).toEqual([]);
    expect(findPersonalData({ subject: 'e1.3f110101199003071234ab' })).toEqual([]);
    expect(findPersonalData({ venueId: '6750a1b2c3d4e5f600000001', amountFen: 3000, district: '渝中区', ageBand: '18-39' })).toEqual([]);
    expect(findPersonalData({ snapshot: { name: '体育馆' } }, ['snapshot.name'])).toEqual([]);
    expect(findPersonalData({ snapshot: { name: '体育馆' } })).not.toEqual([]);
  });
  test('age bands instead of ages', () => {
    expect([5, 10, 15, 30, 45, 65, 80].map(ageBand)).toEqual(['0-6', '7-12', '13-17', '18-39', '40-59', '60-69', '70+']);
  });
});

test('emit refuses a payload with a phone number (before anything is written) and an unregistered type', async () => {
  await expect(emit('user.registered', { subject: '13812345678' })).rejects.toThrow(/mobile number/);
  await expect(
    emit('order.paid', {
      subject: 'Q3k2b1VzZXJQc2V1ZG9ueW',
      orderId: '6750a1b2c3d4e5f601230001',
      kind: 'booking',
      amountFen: 1,
      payableFen: 1,
      phone: '13812345678',
    } as never),
  ).rejects.toThrow(EventContractViolation);
  await expect(emit('no.such.type' as never, {} as never)).rejects.toThrow(/no contract/);
});

test('pseudonyms are keyed and rotate by epoch: epoch 0 keeps the original form, a new epoch cannot be linked', () => {
  const p0 = createPseudonymizer('k'.repeat(32));
  const p1 = createPseudonymizer('k'.repeat(32), 1);
  const other = createPseudonymizer('j'.repeat(32));
  expect(p0('u1')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(p1('u1')).toMatch(/^e1\.[A-Za-z0-9_-]{22}$/);
  expect(p1('u1').slice(3)).not.toBe(p0('u1'));
  expect(other('u1')).not.toBe(p0('u1'));
  for (const s of [p0('u1'), p1('u1')]) expect(() => checkEvent('user.registered', { subject: s })).not.toThrow();
});

test('docs/datacentre.md is what `npm run docs:datacentre` writes (regenerate after changing a contract)', () => {
  const committed = fs.readFileSync(path.resolve(__dirname, '../../docs/datacentre.md'), 'utf8');
  expect(committed).toBe(renderContractDoc());
  for (const t of EVENT_TYPES) expect(committed).toContain(`## ${t}`);
});

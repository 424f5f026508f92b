import { Types } from 'mongoose';
import { idCardCheckChar } from '@citysport/shared';
import type { NewOrder, OrderKindHandlers, PaymentPort } from '../../cloud/src/modules/payment';
import { grant, type TestStack } from './stack';

/** A valid GB 11643 number for a birth date; `n` varies the sequence, `gender` sets its parity. */
export function idNumber(
  birth: string,
  n: number,
  gender: 'M' | 'F' = 'M',
  area = `32${String(Math.floor(n / 500) % 10000).padStart(4, '0')}`,
): string {
  const seq2 = String(Math.floor(n / 5) % 100).padStart(2, '0');
  const last = (n % 5) * 2 + (gender === 'M' ? 1 : 0);
  const first17 = `${area}${birth.replace(/-/g, '')}${seq2}${last}`;
  return first17 + idCardCheckChar(first17);
}

/** A payment port in memory: orders recorded, `pay` tells the domain like payment would. */
export function fakePayments() {
  const orders = new Map<string, NewOrder & { status: 'pending' | 'paid' | 'closed'; refunds: number[] }>();
  const kinds = new Map<string, OrderKindHandlers>();
  const port: PaymentPort = {
    async createOrder(o) {
      const orderId = String(new Types.ObjectId());
      orders.set(orderId, { ...o, status: 'pending', refunds: [] });
      return { orderId };
    },
    async closeOrder(orderId) {
      const o = orders.get(orderId);
      if (o && o.status === 'pending') o.status = 'closed';
    },
    async refundOrder(orderId, input) {
      const o = orders.get(orderId);
      if (!o || o.status !== 'paid') throw new Error('not paid');
      o.refunds.push(input.amountFen ?? o.amountFen);
    },
    registerKind(kind, handlers) {
      kinds.set(kind, handlers);
    },
  };
  return {
    port,
    orders,
    async pay(orderId: string) {
      const o = orders.get(orderId)!;
      o.status = 'paid';
      return kinds.get(o.kind)!.onPaid({ orderId, refId: o.refId, paidFen: o.amountFen });
    },
  };
}

export const RACE_DAY = '2027-03-21T23:00:00.000Z'; // 2027-03-22 07:00 in Shanghai

export function eventInput(over: Record<string, unknown> = {}, groups?: unknown[]) {
  return {
    name: '测试城市半程马拉松',
    kind: 'road_race',
    sport: 'running',
    district: '工业园区',
    place: '金鸡湖文化中心',
    startAt: RACE_DAY,
    description: '测试赛事',
    registration: {
      mode: 'first_come',
      opensAt: '2027-01-01T00:00:00.000Z',
      closesAt: '2027-02-01T00:00:00.000Z',
      holdMinutes: 15,
      ...((over.registration as object) ?? {}),
    },
    refundPolicy: {
      tiers: [
        { daysBefore: 30, percent: 100 },
        { daysBefore: 7, percent: 50 },
      ],
    },
    pledge: { text: '本人承诺身体健康，适合参加本项比赛。', version: 'v1' },
    groups: groups ?? [{ name: '半程马拉松', distanceKm: 21.0975, capacity: 100, feeFen: 10000, eligibility: { minAge: 18 } }],
    ...Object.fromEntries(Object.entries(over).filter(([k]) => k !== 'registration')),
  };
}

export function participant(id: string, name = '张三') {
  return { name, idNumber: id, phone: '13800138000', emergencyContact: { name: '李四', phone: '13900139000' } };
}

/** An organiser with an event created, published and opened (the clock must be inside the window). */
export async function openEvent(stack: TestStack, org: { token: string }, input: unknown) {
  const created = await stack.request('POST', '/organiser/events', { token: org.token, body: input });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.event.id as string;
  for (const step of ['publish', 'open']) {
    const r = await stack.request('POST', `/organiser/events/${id}/${step}`, { token: org.token });
    if (r.status !== 200) throw new Error(`${step}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return { id, groups: created.body.event.groups as { id: string; name: string; capacity: number }[] };
}

export async function organiser(stack: TestStack, name: string) {
  const u = await stack.login(name);
  await grant(stack, u.userId, 'organiser');
  return u;
}

/**
 * Lottery entries straight into the collection, shaped as the service writes an `entered` entry
 * (the 10,000-entry draw tests; the HTTP path for entries is tested on its own). Personal fields
 * are a placeholder: the draw reads only entryRef and groupId.
 */
export async function insertLotteryEntries(eventId: string, groups: { id: string; feeFen: number }[], n: number, at: Date) {
  const { randomBytes } = await import('node:crypto');
  const coll = (await import('mongoose')).default.connection.db!.collection('event_registrations');
  const docs = Array.from({ length: n }, (_, i) => {
    const g = groups[i % groups.length];
    const _id = new Types.ObjectId();
    return {
      _id,
      eventId: new Types.ObjectId(eventId),
      groupId: new Types.ObjectId(g.id),
      userId: new Types.ObjectId(),
      mode: 'lottery',
      status: 'entered',
      idKey: `${eventId}:fixture-${i}`,
      sealed: 'fixture',
      masked: { name: '测*', idNumber: '320502********0000', phone: '138****0000' },
      gender: i % 2 ? 'M' : 'F',
      ageOnRaceDay: 30,
      pledgeVersion: 'v1',
      guardian: false,
      qualifying: null,
      teamId: null,
      feeFen: g.feeFen,
      orderId: null,
      holdExpiresAt: null,
      payDeadline: null,
      entryRef: randomBytes(12).toString('base64url'),
      inDraw: false,
      drawRank: null,
      offerFor: `self:${_id}`,
      bib: null,
      nameKey: 'fixture',
      checkedInAt: null,
      refundFen: 0,
      cancelReason: null,
      createdAt: at,
      confirmedAt: null,
      endedAt: null,
      pending: [],
      pendingSince: null,
    };
  });
  for (let i = 0; i < docs.length; i += 2000) await coll.insertMany(docs.slice(i, i + 2000));
}

import { describe, expect, it } from '@jest/globals';
import { EventInputSchema, type EventDetailDto } from '@citysport/shared';
import { bodyOf, fromDetail } from './edit';

const group = {
  id: 'g1',
  name: '半程马拉松',
  distanceKm: 21.0975,
  capacity: 8000,
  remaining: 8000,
  feeFen: 12000,
  eligibility: { minAge: 18 },
  team: null,
  bibPrefix: 'A',
  bibStart: 101,
  waitlistSize: 500,
};
const detail = {
  id: 'e1',
  name: '金鸡湖半程马拉松',
  kind: 'road_race',
  sport: 'running',
  district: '工业园区',
  place: '金鸡湖文化中心',
  startAt: '2027-03-21T23:30:00.000Z',
  status: 'published',
  description: '环湖赛道',
  registration: {
    mode: 'lottery',
    opensAt: '2027-01-01T02:00:00.000Z',
    closesAt: '2027-02-01T10:00:00.000Z',
    holdMinutes: 15,
    paymentDeadline: '2027-02-10T10:00:00.000Z',
    offerHours: 48,
  },
  refundPolicy: { tiers: [{ daysBefore: 30, percent: 80 }] },
  transfer: { allowed: false, deadline: null },
  pledge: { text: '本人承诺身体健康。', version: 'v1' },
  groups: [
    group,
    {
      ...group,
      id: 'g2',
      name: '欢乐跑',
      bibPrefix: 'C',
      bibStart: 1,
      waitlistSize: 2000,
      capacity: 2000,
      team: { minSize: 3, maxSize: 5 },
    },
  ],
} as unknown as EventDetailDto;

describe('organiser form (赛事编辑)', () => {
  it('an edit keeps what the form does not show: bib rules, team sizes, a waitlist sized apart from the places', () => {
    const body = bodyOf(fromDetail(detail));
    expect(body.groups[0]).toMatchObject({ name: '半程马拉松', bibPrefix: 'A', bibStart: 101, waitlistSize: 500 });
    expect(body.groups[1]).toMatchObject({ bibPrefix: 'C', bibStart: 1, team: { minSize: 3, maxSize: 5 } });
    // a waitlist equal to the places was the default: it follows the places again
    expect(body.groups[1]).not.toHaveProperty('waitlistSize');
    expect(EventInputSchema.safeParse(body).success).toBe(true);
  });
});

import { businessDay, type CreateReview } from '@citysport/shared';
import type { CloudApp } from '@citysport/cloud';

/**
 * Demo reviews (issue 15): citizens who used free sessions and courts at three community venues
 * review them (the booking, then the gate's admission, through the services, as real use would);
 * a venue manager replies to one; one review with flagged text waits for the bureau's moderation.
 * The content check runs against the WeChat stand-in when it is up; otherwise the review waits for
 * moderation too (fail closed), so the seed never depends on it.
 */
const REVIEWERS = [
  { openid: 'demo-reviewer-1', nickname: '钱多多' },
  { openid: 'demo-reviewer-2', nickname: '蒋小燕' },
  { openid: 'demo-reviewer-3', nickname: '沈阿姨' },
  { openid: 'demo-reviewer-4', nickname: '韩大伟' },
];
const MANAGER = { openid: 'demo-venue-manager', nickname: '场馆经理老周' };

type Plan = { reviewer: number; stars: number; tags: string[]; text?: string };
const PLANS: { venue: string; reviews: Plan[] }[] = [
  {
    venue: '吴中区全民健身中心',
    reviews: [
      { reviewer: 0, stars: 5, tags: ['场地干净', '服务好'], text: '公益健身课老师很耐心，场地也干净，早上来很舒服。' },
      { reviewer: 1, stars: 4, tags: ['价格实惠', '设施完好'], text: '免费的课还这么专业，就是人有点多。' },
      { reviewer: 2, stars: 5, tags: ['服务好'] },
    ],
  },
  {
    venue: '相城区体育中心',
    reviews: [
      { reviewer: 0, stars: 4, tags: ['价格实惠', '交通方便'], text: '白天室外篮球场免费，地面不错。' },
      { reviewer: 3, stars: 2, tags: ['设施老旧'], text: '篮筐网破了好几个，希望尽快更换。' },
    ],
  },
  {
    venue: '姑苏区社区健身馆（平江路）',
    reviews: [
      { reviewer: 2, stars: 5, tags: ['服务好', '交通方便'], text: '长者健身操很适合我们老年人，工作人员很热情。' },
      // the flagged one: 加微信 is on the stand-in's word list → waits for moderation
      { reviewer: 3, stars: 3, tags: ['预约方便'], text: '乒乓球台还行，想约球的加微信 pingpong88' },
    ],
  },
];

export async function seedReviews(services: CloudApp['services'], log: (m: string) => void = () => {}) {
  const { identity, venues, bookings, reviews, clock } = services;
  const ids: string[] = [];
  for (const r of REVIEWERS) {
    const { user } = await identity.upsertByOpenid(r.openid, undefined, 'seeded-session-key');
    await identity.setPersonalFields(String(user._id), { nickname: r.nickname });
    ids.push(String(user._id));
  }
  const { user: mgr } = await identity.upsertByOpenid(MANAGER.openid, undefined, 'seeded-session-key');
  await identity.setPersonalFields(String(mgr._id), { nickname: MANAGER.nickname });

  const summaries = await venues.venueSummaries(await venues.allVenueIds());
  const byName = new Map(summaries.map((v) => [v.name, v.id]));
  let published = 0;
  let held = 0;
  const reviewIds: string[] = [];
  for (const plan of PLANS) {
    const venueId = byName.get(plan.venue);
    if (!venueId) throw new Error(`demo venue ${plan.venue} is missing`);
    if (plan === PLANS[0])
      await identity.changeRole('system', { userId: String(mgr._id), role: 'venue_manager', scope: venueId, reason: '演示数据' }, 'grant');
    // free places open to book in the next days (a different slot for each reviewer)
    const free: string[] = [];
    for (let d = 1; d <= 7 && free.length < plan.reviews.length; d++) {
      const day = businessDay(new Date(clock.now().getTime() + d * 86_400_000));
      for (const s of await venues.listSlots(venueId, day))
        if (s.priceFen === 0 && s.status === 'open' && free.length < plan.reviews.length) free.push(s.id);
    }
    for (const [i, r] of plan.reviews.entries()) {
      const userId = ids[r.reviewer];
      const { booking } = await bookings.book(userId, { slotIds: [free[i]], quantity: 1, companions: [] });
      await bookings.markUsed(booking.id); // admitted at the gate
      const input: CreateReview = {
        target: { kind: 'venue', id: venueId },
        sourceRef: { kind: 'booking', id: booking.id },
        stars: r.stars,
        tags: r.tags,
        ...(r.text ? { text: r.text } : {}),
      };
      const { review } = await reviews.create(userId, input);
      reviewIds.push(review.id);
      if (review.status === 'published') published++;
      else held++;
    }
  }
  // the manager of the first venue thanks its first reviewer
  const reply = await reviews.reply(String(mgr._id), reviewIds[0], '感谢您的认可！公益健身课每天 9 点开课，欢迎常来。').catch(() => null);
  log(`seeded ${published + held} reviews (${published} published, ${held} waiting for moderation), ${reply ? 1 : 0} reply`);
  return { reviewIds, managerId: String(mgr._id) };
}

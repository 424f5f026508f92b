import type { ModuleDescriptor } from '../../platform/module';
import type { GrantLookup } from '../../platform/auth';
import type { WechatClient } from '../../platform/wechat';
import { createReviewService, type CitizenFacts, type ReviewPhotos, type ReviewService } from './review.service';
import { reviewRoutes } from './review.routes';

export { createReviewService, type ReviewService } from './review.service';

interface IdentityLookups {
  grantsOf: GrantLookup;
  openidOf: (userId: string) => Promise<string | null>;
  displayNames: (userIds: string[]) => Promise<Map<string, string>>;
}

/**
 * Reviews after consumption (消费评价) and the credit page (信用), issue 15. Which facts allow a
 * review and who replies for a target are other modules' business: app.ts collects every
 * descriptor's `reviewSources` and `reviewTargets` and registers them here (as with ticket sources).
 * Text goes through WeChat's msgSecCheck (our client); flagged or unchecked text waits for a moderator.
 */
export const reviewModule = (opts: { wechat: WechatClient }): ModuleDescriptor<ReviewService> => ({
  name: 'review',
  create: ({ kernel, use, find }) => {
    const identity = () => use<IdentityLookups>('identity');
    return createReviewService({
      kernel,
      wechat: opts.wechat,
      openidOf: (id) => identity().openidOf(id),
      displayNames: (ids) => identity().displayNames(ids),
      // guidance's photo store: the one upload path (POST /guidance/photos)
      photos: find<{ photos: ReviewPhotos }>('guidance')?.photos,
      citizenFacts: () => find<{ citizenCredit: CitizenFacts }>('booking')?.citizenCredit() ?? Promise.resolve([]),
    });
  },
  // reads of others' personal data and exports, audited naming the reader (platform/audit personalDataAudit)
  personalData: {
    'GET /admin/reviews/pending': { what: 'reviews awaiting moderation (reviewers)' },
    'GET /admin/credit': { what: "the providers' credit table (export)", exportOnly: true },
  },
  routes: (reviews, { use }) => [reviewRoutes(reviews, { grantsOf: (id) => use<IdentityLookups>('identity').grantsOf(id) })],
  // finishes the review.published events a crash left
  jobs: (reviews) => [{ name: 'review-heal', everyMs: 30_000, run: () => reviews.heal() }],
});

import type { ModuleDescriptor } from '../../platform/module';
import type { GrantLookup } from '../../platform/auth';
import type { WechatClient } from '../../platform/wechat';
import type { VenueService } from '../venue';
import type { BookingService } from '../booking';
import type { IdentityService } from '../identity';
import { createFeedbackService, type FeedbackPhotos, type FeedbackService } from './feedback.service';
import { feedbackRoutes } from './feedback.routes';

export { createFeedbackService, type FeedbackService } from './feedback.service';

/**
 * 意见反馈 (issue 10, 我的): a citizen writes to a venue (about a booking or a visit) or to the
 * bureau; the venue's managers answer their venue's, the bureau answers all. Text goes through
 * WeChat's msgSecCheck (held text goes to the bureau first); photos come from guidance's store.
 */
export const feedbackModule = (opts: { wechat: WechatClient }): ModuleDescriptor<FeedbackService> => ({
  name: 'feedback',
  create: ({ kernel, use, find }) =>
    createFeedbackService({
      kernel,
      wechat: opts.wechat,
      grantsOf: ((id: string) => use<IdentityService>('identity').grantsOf(id)) as GrantLookup,
      openidOf: (id) => use<IdentityService>('identity').openidOf(id),
      displayNames: (ids) => use<IdentityService>('identity').displayNames(ids),
      venueExists: (id) => use<VenueService>('venue').venueExists(id),
      venueNames: (ids) => use<VenueService>('venue').venueNames(ids),
      bookingOf: (userId, bookingId) => use<BookingService>('booking').getMine(userId, bookingId),
      photos: find<{ photos: FeedbackPhotos }>('guidance')?.photos,
    }),
  // reads of others' personal data and exports, audited naming the reader (platform/audit personalDataAudit)
  personalData: {
    'GET /manage/venues/:venueId/feedback': { what: "citizens' feedback on a venue" },
    'GET /admin/feedback': { what: "citizens' feedback (all venues)" },
    // the same data one at a time: audited when staff read it (the sender named), not the sender's own read
    'GET /feedback/:feedbackId': {
      what: "a citizen's feedback (sender named)",
      when: (body) => 'sender' in ((body as { feedback?: object } | undefined)?.feedback ?? {}),
    },
  },
  routes: (feedback, { use }) => [
    feedbackRoutes(feedback, {
      grantsOf: (id) => use<IdentityService>('identity').grantsOf(id),
      venueExists: (id) => use<VenueService>('venue').venueExists(id),
    }),
  ],
  // finishes the photo attachments a crash left
  jobs: (feedback) => [{ name: 'feedback-heal', everyMs: 30_000, run: () => feedback.heal() }],
});

import {
  FeedbackPageSchema,
  FeedbackResponseSchema,
  type FeedbackCategory,
  type FeedbackStatus,
  type FeedbackTarget,
} from '@citysport/shared';
import Taro from '@tarojs/taro';
import { buildUrl, currentToken, request } from './client';
import { IS_H5 } from './config';

const seg = encodeURIComponent;
const page = (cursor: string | null, limit: number, status?: FeedbackStatus) => ({
  limit,
  ...(cursor ? { cursor } : {}),
  ...(status ? { status } : {}),
});

/** 意见反馈 (issue 10): the citizen's side and the staff's (a venue's managers, the bureau). */
export const feedbackApi = {
  create: (body: { target: FeedbackTarget; category: FeedbackCategory; text: string; bookingId?: string; photoIds?: string[] }) =>
    request({ method: 'POST', path: '/feedback', data: body, schema: FeedbackResponseSchema }),
  mine: (cursor: string | null, limit: number, status?: FeedbackStatus) =>
    request({ path: '/feedback/mine', query: page(cursor, limit, status), schema: FeedbackPageSchema, toast: false }),
  get: (id: string) => request({ path: `/feedback/${seg(id)}`, schema: FeedbackResponseSchema, toast: false }),
  close: (id: string) => request({ method: 'POST', path: `/feedback/${seg(id)}/close`, schema: FeedbackResponseSchema }),
  /**
   * A photo of a feedback as a local file the <Image> and previewImage can show: the photo API
   * wants the bearer token, which an image tag cannot send (h5: a blob URL; weapp: a temp file).
   */
  photoFile: async (feedbackId: string, photoId: string): Promise<string> => {
    const url = buildUrl(`/feedback/${seg(feedbackId)}/photos/${seg(photoId)}`);
    const header = { Authorization: `Bearer ${currentToken() ?? ''}` };
    if (IS_H5) {
      const res = await fetch(url, { headers: header });
      if (!res.ok) throw new Error(`photo ${res.status}`);
      return URL.createObjectURL(await res.blob());
    }
    const file = await Taro.downloadFile({ url, header });
    if (file.statusCode !== 200) throw new Error(`photo ${file.statusCode}`);
    return file.tempFilePath;
  },
  // ---- staff ----
  venueInbox: (venueId: string, cursor: string | null, limit: number, status?: FeedbackStatus) =>
    request({
      path: `/manage/venues/${seg(venueId)}/feedback`,
      query: page(cursor, limit, status),
      schema: FeedbackPageSchema,
      toast: false,
    }),
  bureauInbox: (cursor: string | null, limit: number, status?: FeedbackStatus) =>
    request({ path: '/admin/feedback', query: page(cursor, limit, status), schema: FeedbackPageSchema, toast: false }),
  answer: (id: string, text: string) =>
    request({ method: 'POST', path: `/manage/feedback/${seg(id)}/answer`, data: { text }, schema: FeedbackResponseSchema }),
  staffClose: (id: string) => request({ method: 'POST', path: `/manage/feedback/${seg(id)}/close`, schema: FeedbackResponseSchema }),
};

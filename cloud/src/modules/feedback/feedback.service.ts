import type { Readable } from 'node:stream';
import mongoose, { Types } from 'mongoose';
import { maskName, type CreateFeedback, type Feedback as FeedbackDto, type FeedbackStatus } from '@citysport/shared';
import type { Kernel } from '../../platform/kernel';
import type { GrantLookup } from '../../platform/auth';
import type { WechatClient } from '../../platform/wechat';
import { AppError } from '../../platform/errors';
import { Feedback, type CheckRecord, type FeedbackDoc } from './feedback.model';

/** Guidance's photo store (the app's one upload path, POST /guidance/photos), as reviews use it. */
export interface FeedbackPhotos {
  requireOwn(photoId: string, ownerId: string, opts?: { unattachedOr?: string }): Promise<void>;
  attach(photoIds: string[], ownerRef: string): Promise<void>;
  metaOf(photoId: string): Promise<{ mime: string } | null>;
  open(photoId: string): Readable;
}

export interface FeedbackDeps {
  kernel: Kernel;
  wechat: WechatClient;
  grantsOf: GrantLookup;
  openidOf: (userId: string) => Promise<string | null>;
  displayNames: (userIds: string[]) => Promise<Map<string, string>>;
  venueExists: (venueId: string) => Promise<boolean>;
  venueNames: (venueIds: string[]) => Promise<Map<string, string>>;
  /** the caller's own booking (BOOKING_NOT_FOUND for anyone else's) */
  bookingOf: (userId: string, bookingId: string) => Promise<{ venueId: string; resourceName: string; startAt: string }>;
  photos?: FeedbackPhotos;
}

const OWNER = 'feedback';
const oid = (id: string | Types.ObjectId) => (typeof id === 'string' ? new Types.ObjectId(id) : id);
const BUREAU_NAME = '市体育局';

type Viewer = { userId: string; admin: boolean; venues: 'all' | Set<string> };

export function createFeedbackService(deps: FeedbackDeps) {
  const { kernel } = deps;

  kernel.effects.define<FeedbackDoc>(OWNER, {
    collection: 'feedback',
    steps: {
      // the photos become this feedback's (guidance's store keeps the owner ref): never a review's or a log's
      'photos.attach': async (f) => {
        if (f.photoIds.length && deps.photos) await deps.photos.attach(f.photoIds.map(String), String(f._id));
      },
    },
  });

  /** WeChat's msgSecCheck through our client: a clear `pass`, a flag, or an error (timeout, WeChat down). */
  async function check(userId: string, text: string): Promise<{ pass: boolean; flagged: boolean; record: CheckRecord }> {
    try {
      const openid = await deps.openidOf(userId);
      if (!openid) return { pass: false, flagged: false, record: { error: 'no openid for this user' } };
      const r = await deps.wechat.msgSecCheck(openid, text);
      return { pass: r.suggest === 'pass', flagged: r.suggest !== 'pass', record: { suggest: r.suggest, label: r.label } };
    } catch (err) {
      kernel.logger.warn({ err }, 'msgSecCheck failed');
      return { pass: false, flagged: false, record: { error: err instanceof Error ? err.message : String(err) } };
    }
  }

  async function viewerOf(userId: string): Promise<Viewer> {
    const grants = await deps.grantsOf(userId);
    const admin = grants.some((g) => g.role === 'admin');
    const managed = grants.filter((g) => g.role === 'venue_manager');
    return { userId, admin, venues: admin || managed.some((g) => g.scope === undefined) ? 'all' : new Set(managed.map((g) => g.scope!)) };
  }

  /**
   * Staff who may read and answer this feedback: the bureau (admin) everything; a venue's managers
   * their venue's, unless its text is held by the check (then the bureau looks first).
   */
  function staffMay(v: Viewer, f: FeedbackDoc): boolean {
    if (v.admin) return true;
    if (f.targetKind !== 'venue' || !f.venueId || f.held) return false;
    return v.venues === 'all' || v.venues.has(String(f.venueId));
  }

  async function toDtos(rows: FeedbackDoc[], withSender: boolean): Promise<FeedbackDto[]> {
    const names = await deps.venueNames([...new Set(rows.filter((f) => f.venueId).map((f) => String(f.venueId)))]);
    const senders = withSender ? await deps.displayNames([...new Set(rows.map((f) => String(f.userId)))]) : new Map<string, string>();
    return rows.map((f) => ({
      id: String(f._id),
      target: {
        kind: f.targetKind,
        id: f.venueId ? String(f.venueId) : null,
        name: f.venueId ? (names.get(String(f.venueId)) ?? '场馆') : BUREAU_NAME,
      },
      category: f.category,
      text: f.text,
      photoIds: f.photoIds.map(String),
      booking: f.booking
        ? { id: String(f.booking.id), resourceName: f.booking.resourceName, startAt: f.booking.startAt.toISOString() }
        : null,
      status: f.status,
      held: f.held,
      createdAt: f.createdAt.toISOString(),
      answer: f.answer ? { text: f.answer.text, at: f.answer.at.toISOString(), by: f.answer.role } : null,
      closedAt: f.closedAt ? f.closedAt.toISOString() : null,
      ...(withSender ? { sender: maskName(senders.get(String(f.userId)) ?? '市民') } : {}),
    }));
  }
  const one = async (f: FeedbackDoc, withSender: boolean) => (await toDtos([f], withSender))[0];

  // ---------- the citizen ----------
  async function create(userId: string, input: CreateFeedback) {
    const venueId = input.target.kind === 'venue' ? input.target.id : null;
    if (venueId && !(await deps.venueExists(venueId))) throw new AppError('VENUE_NOT_FOUND', 'no such venue');
    let booking: FeedbackDoc['booking'] = null;
    if (input.bookingId) {
      if (!venueId)
        throw new AppError('VALIDATION_FAILED', 'a booking goes with feedback to its venue', [
          { path: 'bookingId', message: 'venue only' },
        ]);
      const b = await deps.bookingOf(userId, input.bookingId);
      if (b.venueId !== venueId)
        throw new AppError('VALIDATION_FAILED', 'that booking is at another venue', [{ path: 'bookingId', message: 'another venue' }]);
      booking = { id: oid(input.bookingId), resourceName: b.resourceName, startAt: new Date(b.startAt) };
    }
    const photoIds = [...new Set(input.photoIds ?? [])];
    if (photoIds.length && !deps.photos)
      throw new AppError('VALIDATION_FAILED', 'photos are not available', [{ path: 'photoIds', message: 'unavailable' }]);
    const _id = new Types.ObjectId();
    for (const p of photoIds) await deps.photos!.requireOwn(p, userId, { unattachedOr: String(_id) });

    const c = await check(userId, input.text);
    const now = kernel.clock.now();
    const doc = (
      await Feedback.create({
        _id,
        userId: oid(userId),
        targetKind: input.target.kind,
        venueId: venueId ? oid(venueId) : null,
        category: input.category,
        text: input.text,
        photoIds: photoIds.map(oid),
        booking,
        status: 'open',
        check: c.record,
        held: !c.pass,
        answer: null,
        closedAt: null,
        closedBy: null,
        createdAt: now,
        pending: photoIds.length ? ['photos.attach'] : [],
        pendingSince: photoIds.length ? now : null,
      })
    ).toObject() as FeedbackDoc;
    if (doc.pending.length) await kernel.effects.finish(OWNER, doc);
    return one(doc, false);
  }

  const statusFilter = (status?: FeedbackStatus) => (status ? { status } : {});

  async function mine(userId: string, q: { cursor?: string; limit: number; status?: FeedbackStatus }) {
    const p = await kernel.cursorPage<FeedbackDoc, FeedbackDoc>(Feedback, { userId: oid(userId), ...statusFilter(q.status) }, q, (d) => d);
    return { items: await toDtos(p.items, false), nextCursor: p.nextCursor };
  }

  async function find(feedbackId: string): Promise<FeedbackDoc> {
    const f = await Feedback.findById(feedbackId).lean<FeedbackDoc>();
    if (!f) throw new AppError('FEEDBACK_NOT_FOUND', 'no such feedback');
    return f;
  }

  /** The sender sees theirs; staff who may answer it see it with the sender masked; anyone else: not found. */
  async function get(userId: string, feedbackId: string) {
    const f = await find(feedbackId);
    if (String(f.userId) === userId) return one(f, false);
    if (staffMay(await viewerOf(userId), f)) return one(f, true);
    throw new AppError('FEEDBACK_NOT_FOUND', 'no such feedback');
  }

  async function openPhoto(userId: string, feedbackId: string, photoId: string) {
    const f = await find(feedbackId);
    const mayView = String(f.userId) === userId || staffMay(await viewerOf(userId), f);
    if (!mayView || !f.photoIds.some((p) => String(p) === photoId) || !deps.photos)
      throw new AppError('PHOTO_NOT_FOUND', 'no such photo of this feedback');
    const meta = await deps.photos.metaOf(photoId);
    if (!meta) throw new AppError('PHOTO_NOT_FOUND', 'no such photo');
    return { mime: meta.mime, stream: deps.photos.open(photoId) };
  }

  // ---------- staff ----------
  async function forVenue(venueId: string, q: { cursor?: string; limit: number; status?: FeedbackStatus }) {
    const p = await kernel.cursorPage<FeedbackDoc, FeedbackDoc>(
      Feedback,
      { venueId: oid(venueId), held: false, ...statusFilter(q.status) },
      q,
      (d) => d,
    );
    return { items: await toDtos(p.items, true), nextCursor: p.nextCursor };
  }

  async function all(q: { cursor?: string; limit: number; status?: FeedbackStatus; kind?: 'venue' | 'bureau' }) {
    const p = await kernel.cursorPage<FeedbackDoc, FeedbackDoc>(
      Feedback,
      { ...(q.kind ? { targetKind: q.kind } : {}), ...statusFilter(q.status) },
      q,
      (d) => d,
    );
    return { items: await toDtos(p.items, true), nextCursor: p.nextCursor };
  }

  /** The one answer, by a manager of the venue or the bureau; checked by msgSecCheck first (a flag is refused). */
  async function answer(actorId: string, feedbackId: string, text: string) {
    const f = await find(feedbackId);
    const v = await viewerOf(actorId);
    if (!staffMay(v, f)) throw new AppError('FEEDBACK_NOT_FOUND', 'no such feedback for you to answer');
    if (f.status !== 'open') throw new AppError('FEEDBACK_NOT_OPEN', 'answered or closed already');
    const c = await check(actorId, text);
    if (c.flagged)
      throw new AppError('FEEDBACK_TEXT_REJECTED', 'the answer did not pass the content check', {
        label: (c.record as { label: number }).label,
      });
    if (!c.pass) throw new AppError('UPSTREAM_UNAVAILABLE', 'the content check did not answer; try again');
    const role: 'venue' | 'bureau' = v.admin ? 'bureau' : 'venue';
    const won = await kernel.transition<FeedbackDoc>(
      'feedback',
      { _id: f._id, status: 'open' },
      { $set: { status: 'answered', answer: { text, at: kernel.clock.now(), by: oid(actorId), role, check: c.record } } },
    );
    if (!won) throw new AppError('FEEDBACK_NOT_OPEN', 'answered or closed already');
    await kernel.audit(actorId, 'feedback.answer', String(f.userId), {
      feedbackId,
      venueId: f.venueId ? String(f.venueId) : null,
      role,
    });
    return one(won, true);
  }

  /** 关闭: the sender, or staff who may answer it (audited); open or answered → closed, once. */
  async function close(actorId: string, feedbackId: string) {
    const f = await find(feedbackId);
    const own = String(f.userId) === actorId;
    if (!own && !staffMay(await viewerOf(actorId), f)) throw new AppError('FEEDBACK_NOT_FOUND', 'no such feedback');
    const won = await kernel.transition<FeedbackDoc>(
      'feedback',
      { _id: f._id, status: mongoose.trusted({ $in: ['open', 'answered'] }) },
      { $set: { status: 'closed', closedAt: kernel.clock.now(), closedBy: oid(actorId) } },
    );
    if (!won) throw new AppError('FEEDBACK_NOT_OPEN', 'closed already');
    if (!own)
      await kernel.audit(actorId, 'feedback.close', String(f.userId), { feedbackId, venueId: f.venueId ? String(f.venueId) : null });
    return one(won, !own);
  }

  return {
    create,
    mine,
    get,
    openPhoto,
    forVenue,
    all,
    answer,
    close,
    heal: () => kernel.effects.sweep(OWNER),
  };
}
export type FeedbackService = ReturnType<typeof createFeedbackService>;

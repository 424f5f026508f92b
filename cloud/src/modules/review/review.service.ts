import type { Readable } from 'node:stream';
import mongoose, { Types } from 'mongoose';
import {
  COMPLAINT_MAX_STARS,
  COMPLAINT_TAG,
  PROVIDER_KIND_LABELS_ZH,
  REVIEW_TAGS,
  maskName,
  type CitizenCredit,
  type CreateReview,
  type ModerationItem,
  type MyReview,
  type ProviderCredit,
  type PublicReview,
  type ReviewSummary,
  type ReviewTargetKind,
} from '@citysport/shared';
import type { Kernel } from '../../platform/kernel';
import type { ReviewProvider, ReviewSource, ReviewTarget, ReviewTargetRef } from '../../platform/module';
import type { WechatClient } from '../../platform/wechat';
import { AppError } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import { xlsxOf } from '../../platform/xlsx';
import { Review, type CheckRecord, type ReviewDoc } from './review.model';

/** Guidance's photo store (the one upload/storage of the app): reviews attach photos uploaded there. */
export interface ReviewPhotos {
  requireOwn(photoId: string, ownerId: string, opts?: { unattachedOr?: string }): Promise<void>;
  attach(photoIds: string[], ownerRef: string): Promise<void>;
  metaOf(photoId: string): Promise<{ mime: string } | null>;
  open(photoId: string): Readable;
}

/** Booking's facts about citizens (no-shows, bans) for the credit page. */
export type CitizenFacts = () => Promise<{ userId: string; noShows: number; bans: number; activeBans: number }[]>;

export interface ReviewDeps {
  kernel: Kernel;
  wechat: WechatClient;
  openidOf: (userId: string) => Promise<string | null>;
  displayNames: (userIds: string[]) => Promise<Map<string, string>>;
  photos?: ReviewPhotos;
  citizenFacts?: CitizenFacts;
}

const OWNER = 'review';
const oid = (id: string | Types.ObjectId) => (typeof id === 'string' ? new Types.ObjectId(id) : id);
const round1 = (n: number) => Math.round(n * 10) / 10;

export function createReviewService(deps: ReviewDeps) {
  const { kernel } = deps;
  const sources = new Map<string, ReviewSource>();
  const targets = new Map<string, ReviewTarget>();

  kernel.effects.define<ReviewDoc>(OWNER, {
    collection: 'reviews',
    steps: {
      // the review's photos become its own (guidance's store keeps the owner ref): never another review's or a session log's
      'photos.attach': async (r) => {
        if (r.photoIds.length && deps.photos) await deps.photos.attach(r.photoIds.map(String), String(r._id));
      },
      'event.published': async (r) => {
        await emit(
          'review.published',
          {
            reviewId: String(r._id),
            targetKind: r.targetKind,
            targetId: String(r.targetId),
            sourceKind: r.sourceKind,
            stars: r.stars,
            complaint: r.complaint,
          },
          { eventId: `review.published:${r._id}`, occurredAt: r.publishedAt ?? kernel.clock.now() },
        );
      },
    },
  });

  function target(kind: string): ReviewTarget | undefined {
    return targets.get(kind);
  }

  /** WeChat's msgSecCheck through our client; anything but a clear `pass` (flagged, error, timeout) holds the text. */
  async function check(userId: string, text: string): Promise<{ pass: boolean; record: CheckRecord }> {
    try {
      const openid = await deps.openidOf(userId);
      if (!openid) return { pass: false, record: { error: 'no openid for this user' } };
      const r = await deps.wechat.msgSecCheck(openid, text);
      return { pass: r.suggest === 'pass', record: { suggest: r.suggest, label: r.label } };
    } catch (err) {
      kernel.logger.warn({ err }, 'msgSecCheck failed: the text waits for moderation');
      return { pass: false, record: { error: err instanceof Error ? err.message : String(err) } };
    }
  }

  async function names(userIds: string[]) {
    return deps.displayNames([...new Set(userIds)]);
  }

  function publicDto(r: ReviewDoc, nameOf: Map<string, string>): PublicReview {
    return {
      id: String(r._id),
      target: { kind: r.targetKind, id: String(r.targetId) },
      reviewer: maskName(nameOf.get(String(r.userId)) ?? '市民'),
      stars: r.stars,
      tags: r.tags,
      text: r.text,
      photoIds: r.photoIds.map(String),
      createdAt: r.createdAt.toISOString(),
      reply: r.reply && r.reply.status === 'published' ? { text: r.reply.text, at: r.reply.at.toISOString() } : null,
    };
  }
  function myDto(r: ReviewDoc, nameOf: Map<string, string>): MyReview {
    return { ...publicDto(r, nameOf), status: r.status, sourceRef: { kind: r.sourceKind, id: String(r.sourceId) } };
  }

  async function finish(r: ReviewDoc) {
    if (r.pending?.length) await kernel.effects.finish(OWNER, r);
  }

  // ---------- writing a review ----------
  async function create(userId: string, input: CreateReview) {
    const allowed = REVIEW_TAGS[input.target.kind];
    const bad = input.tags.filter((t) => !allowed.includes(t));
    if (bad.length || new Set(input.tags).size !== input.tags.length)
      throw new AppError('VALIDATION_FAILED', 'tags not in the list for this kind', [
        { path: 'tags', message: `allowed: ${allowed.join('、')}` },
      ]);
    const source = sources.get(input.sourceRef.kind);
    const t = target(input.target.kind);
    if (!source || !t) throw new AppError('REVIEW_NOT_ALLOWED', `nothing to review through ${input.sourceRef.kind}`);
    const fact = await source(userId, input.sourceRef.id);
    if (!fact) throw new AppError('REVIEW_NOT_ALLOWED', 'review after a used booking or an attended session only');
    if (fact.target.kind !== input.target.kind || fact.target.id !== input.target.id)
      throw new AppError('REVIEW_NOT_ALLOWED', 'that booking or attendance is not for this target');
    // the provider does not rate itself (the credit page is the bureau's): whoever replies for the target
    if (await t.canReply(userId, input.target.id)) throw new AppError('REVIEW_NOT_ALLOWED', 'a provider does not review itself');
    // once per citizen and target (issue 15: "may review the venue, course or organiser once"), whatever
    // the fact: a second booking at the venue, another lesson of the course or activity of the club → 409
    const once = { userId: oid(userId), targetKind: input.target.kind, targetId: oid(input.target.id) };
    const key = { ...once, sourceKind: input.sourceRef.kind, sourceId: oid(input.sourceRef.id) };
    if (await Review.exists(once)) throw new AppError('REVIEW_EXISTS', 'reviewed already');
    const photoIds = [...new Set(input.photoIds ?? [])];
    if (photoIds.length && !deps.photos)
      throw new AppError('VALIDATION_FAILED', 'photos are not available', [{ path: 'photoIds', message: 'unavailable' }]);
    // the review's id first: the photos must be unattached (or this review's), and get attached to it
    const _id = new Types.ObjectId();
    for (const p of photoIds) await deps.photos!.requireOwn(p, userId, { unattachedOr: String(_id) });

    const text = input.text ?? '';
    const heldFor: string[] = [];
    let record: CheckRecord = null;
    if (text) {
      const c = await check(userId, text);
      record = c.record;
      if (!c.pass) heldFor.push(c.record && 'error' in c.record ? 'check_failed' : 'text_flagged');
    }
    // WeChat's image check (mediaCheckAsync) answers later by push; until it is wired a moderator looks at photos
    if (photoIds.length) heldFor.push('photos');
    const now = kernel.clock.now();
    const published = heldFor.length === 0;
    const complaint = input.stars <= COMPLAINT_MAX_STARS || input.tags.includes(COMPLAINT_TAG);
    let doc: ReviewDoc;
    try {
      doc = (
        await Review.create({
          _id,
          ...key,
          stars: input.stars,
          tags: input.tags,
          text,
          photoIds: photoIds.map(oid),
          complaint,
          status: published ? 'published' : 'pending_moderation',
          check: record,
          heldFor,
          moderation: null,
          reply: null,
          createdAt: now,
          publishedAt: published ? now : null,
          pending: [...(photoIds.length ? ['photos.attach'] : []), ...(published ? ['event.published'] : [])],
          pendingSince: published || photoIds.length ? now : null,
        })
      ).toObject() as ReviewDoc;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new AppError('REVIEW_EXISTS', 'reviewed already');
      throw err;
    }
    await finish(doc);
    return { review: { id: String(doc._id), status: doc.status } };
  }

  // ---------- reading ----------
  async function list(targetKind: ReviewTargetKind, targetId: string, page: { cursor?: string; limit: number }) {
    const p = await kernel.cursorPage<ReviewDoc, ReviewDoc>(
      Review,
      { targetKind, targetId: oid(targetId), status: 'published' },
      page,
      (d) => d,
    );
    const nameOf = await names(p.items.map((r) => String(r.userId)));
    return { items: p.items.map((r) => publicDto(r, nameOf)), nextCursor: p.nextCursor };
  }

  async function mine(userId: string, page: { cursor?: string; limit: number }) {
    const p = await kernel.cursorPage<ReviewDoc, ReviewDoc>(Review, { userId: oid(userId) }, page, (d) => d);
    const nameOf = await names([userId]);
    return { items: p.items.map((r) => myDto(r, nameOf)), nextCursor: p.nextCursor };
  }

  /** Average, count and tag counts of published reviews per target: two aggregations for any number of ids. */
  async function summaryOf(targetKind: ReviewTargetKind, ids: string[]): Promise<Map<string, ReviewSummary>> {
    const out = new Map<string, ReviewSummary>(ids.map((id) => [id, { targetId: id, count: 0, average: null, tags: [] }]));
    if (!ids.length) return out;
    const match = { targetKind, status: 'published', targetId: { $in: ids.map(oid) } };
    const [stars, tags] = await Promise.all([
      Review.aggregate<{ _id: Types.ObjectId; n: number; sum: number }>([
        { $match: match },
        { $group: { _id: '$targetId', n: { $sum: 1 }, sum: { $sum: '$stars' } } },
      ]),
      Review.aggregate<{ _id: { t: Types.ObjectId; tag: string }; n: number }>([
        { $match: match },
        { $unwind: '$tags' },
        { $group: { _id: { t: '$targetId', tag: '$tags' }, n: { $sum: 1 } } },
      ]),
    ]);
    for (const s of stars) {
      const o = out.get(String(s._id));
      if (o) Object.assign(o, { count: s.n, average: round1(s.sum / s.n) });
    }
    for (const t of tags) out.get(String(t._id.t))?.tags.push({ tag: t._id.tag, count: t.n });
    for (const o of out.values()) o.tags.sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag));
    return out;
  }

  /** For the 评价 buttons: which of these sources of mine allow a review, and whether I reviewed its target already. */
  async function eligibility(userId: string, sourceKind: string, ids: string[]) {
    const source = sources.get(sourceKind);
    const facts = new Map<string, ReviewTargetRef>();
    for (const id of ids) {
      const fact = source ? await source(userId, id) : null;
      if (fact) facts.set(id, fact.target);
    }
    const targetsOf = [...facts.values()];
    const done = targetsOf.length
      ? await Review.find(
          {
            userId: oid(userId),
            $or: mongoose.trusted(targetsOf.map((t) => ({ targetKind: t.kind, targetId: oid(t.id) }))),
          },
          { targetKind: 1, targetId: 1, status: 1 },
        ).lean<{ targetKind: string; targetId: Types.ObjectId; _id: Types.ObjectId; status: string }[]>()
      : [];
    const reviewed = new Map(done.map((d) => [`${d.targetKind}:${d.targetId}`, d]));
    return {
      items: ids.map((id) => {
        const t = facts.get(id) ?? null;
        const r = t ? reviewed.get(`${t.kind}:${t.id}`) : undefined;
        return { sourceId: id, eligible: !!t && !r, target: t, review: r ? { id: String(r._id), status: r.status } : null };
      }),
    };
  }

  async function loadReview(reviewId: string): Promise<ReviewDoc> {
    const r = await Review.findById(reviewId).lean<ReviewDoc>();
    if (!r) throw new AppError('REVIEW_NOT_FOUND', 'no such review');
    return r;
  }

  async function openPhoto(reviewId: string, photoId: string, viewer: { userId: string; admin: boolean } | null) {
    const r = await loadReview(reviewId);
    const mayView = r.status === 'published' || (viewer && (viewer.admin || viewer.userId === String(r.userId)));
    if (!mayView || !r.photoIds.some((p) => String(p) === photoId) || !deps.photos)
      throw new AppError('PHOTO_NOT_FOUND', 'no such photo of a public review');
    const meta = await deps.photos.metaOf(photoId);
    if (!meta) throw new AppError('PHOTO_NOT_FOUND', 'no such photo');
    return { mime: meta.mime, stream: deps.photos.open(photoId) };
  }

  // ---------- the provider's reply ----------
  async function reply(userId: string, reviewId: string, text: string) {
    const r = await loadReview(reviewId);
    if (r.status !== 'published') throw new AppError('REVIEW_NOT_FOUND', 'no such public review');
    const t = target(r.targetKind);
    if (!t || !(await t.canReply(userId, String(r.targetId)))) throw new AppError('REVIEW_REPLY_NOT_ALLOWED', 'only the provider replies');
    if (r.reply) throw new AppError('REVIEW_REPLY_EXISTS', 'replied already');
    const c = await check(userId, text);
    const status = c.pass ? 'published' : 'pending_moderation';
    const won = await kernel.transition<ReviewDoc>(
      'reviews',
      { _id: r._id, reply: null },
      { $set: { reply: { text, at: kernel.clock.now(), by: oid(userId), status, check: c.record } } },
    );
    if (!won) throw new AppError('REVIEW_REPLY_EXISTS', 'replied already');
    await kernel.audit(userId, 'review.reply', String(r.userId), { reviewId, status });
    return { reply: { status } };
  }

  // ---------- moderation ----------
  async function moderationQueue(page: { cursor?: string; limit: number }) {
    const p = await kernel.cursorPage<ReviewDoc, ReviewDoc>(
      Review,
      { $or: mongoose.trusted([{ status: 'pending_moderation' }, { 'reply.status': 'pending_moderation' }]) },
      page,
      (d) => d,
    );
    const nameOf = await names(p.items.map((r) => String(r.userId)));
    const described = new Map<string, string>();
    for (const kind of new Set(p.items.map((r) => r.targetKind))) {
      const t = target(kind);
      const ids = p.items.filter((r) => r.targetKind === kind).map((r) => String(r.targetId));
      const m = t ? await t.describe(ids) : new Map();
      for (const [id, d] of m) described.set(`${kind}:${id}`, d.name);
    }
    const items: ModerationItem[] = p.items.map((r) => ({
      ...myDto(r, nameOf),
      targetName: described.get(`${r.targetKind}:${r.targetId}`) ?? '',
      check: r.status === 'pending_moderation' ? r.check : (r.reply?.check ?? null),
      pendingReply: r.reply && r.reply.status === 'pending_moderation' ? { text: r.reply.text, at: r.reply.at.toISOString() } : null,
    }));
    return { items, nextCursor: p.nextCursor };
  }

  /** Approves or rejects a held review (or, when the review is public, its held reply); audited. */
  async function moderate(adminId: string, reviewId: string, input: { approved: boolean; reason: string }) {
    const r = await loadReview(reviewId);
    const now = kernel.clock.now();
    const moderation = { by: oid(adminId), at: now, approved: input.approved, reason: input.reason };
    if (r.status === 'pending_moderation') {
      const won = await kernel.effects.transition<ReviewDoc>(
        OWNER,
        { _id: r._id, status: 'pending_moderation' },
        input.approved ? { status: 'published', publishedAt: now, moderation } : { status: 'rejected', moderation },
        input.approved ? ['event.published'] : [],
      );
      if (!won) throw new AppError('REVIEW_NOT_PENDING', 'moderated already');
      await kernel.audit(adminId, 'review.moderate', String(r.userId), { reviewId, what: 'review', ...input });
      await finish(won);
      return { review: { id: reviewId, status: won.status } };
    }
    if (r.reply?.status === 'pending_moderation') {
      const won = await kernel.transition<ReviewDoc>(
        'reviews',
        { _id: r._id, 'reply.status': 'pending_moderation' },
        // who decided, in the same write (like a review's own `moderation`): a crash before the audit row leaves it known
        { $set: { 'reply.status': input.approved ? 'published' : 'rejected', 'reply.moderation': moderation } },
      );
      if (!won) throw new AppError('REVIEW_NOT_PENDING', 'moderated already');
      await kernel.audit(adminId, 'review.moderate', String(r.reply.by), { reviewId, what: 'reply', ...input });
      return { review: { id: reviewId, status: won.status, reply: { status: won.reply!.status } } };
    }
    throw new AppError('REVIEW_NOT_PENDING', 'nothing of this review waits for moderation');
  }

  // ---------- credit (信用) ----------
  async function credit(): Promise<{ providers: ProviderCredit[]; citizens: CitizenCredit[] }> {
    const rows = await Review.aggregate<{ _id: { k: string; t: Types.ObjectId; c: boolean }; n: number; sum: number }>([
      { $match: { status: 'published' } },
      { $group: { _id: { k: '$targetKind', t: '$targetId', c: '$complaint' }, n: { $sum: 1 }, sum: { $sum: '$stars' } } },
    ]);
    const byProvider = new Map<string, ProviderCredit & { sum: number }>();
    const rowOf = (p: ReviewProvider) => {
      const key = `${p.kind}:${p.id}`;
      let row = byProvider.get(key);
      if (!row) {
        row = { kind: p.kind, id: p.id, name: p.name, reviewCount: 0, average: null, complaints: 0, cancellations: 0, sum: 0 };
        byProvider.set(key, row);
      }
      return row;
    };
    for (const [kind, t] of targets) {
      const mine = rows.filter((r) => r._id.k === kind);
      const described = mine.length ? await t.describe([...new Set(mine.map((r) => String(r._id.t)))]) : new Map();
      for (const r of mine) {
        const d = described.get(String(r._id.t));
        if (!d) continue;
        const row = rowOf(d.provider);
        row.reviewCount += r.n;
        row.sum += r.sum;
        if (r._id.c) row.complaints += r.n;
      }
      for (const c of (await t.providerCancellations?.()) ?? []) rowOf(c).cancellations += c.count;
    }
    const providers = [...byProvider.values()]
      .map(({ sum, ...p }) => ({ ...p, average: p.reviewCount ? round1(sum / p.reviewCount) : null }))
      .sort((a, b) => b.complaints - a.complaints || b.cancellations - a.cancellations || b.reviewCount - a.reviewCount);
    const facts = ((await deps.citizenFacts?.()) ?? []).slice(0, 500);
    const nameOf = await names(facts.map((f) => f.userId));
    const citizens = facts.map((f) => ({ ...f, name: maskName(nameOf.get(f.userId) ?? '市民') }));
    return { providers, citizens };
  }

  async function creditXlsx(): Promise<Buffer> {
    const { providers, citizens } = await credit();
    type Row = { a: string; b: string; c: number | string; d: number | string; e: number | string; f: number | string };
    const rows: Row[] = [
      ...providers.map((p) => ({
        a: PROVIDER_KIND_LABELS_ZH[p.kind],
        b: p.name,
        c: p.reviewCount,
        d: p.average ?? '—',
        e: p.complaints,
        f: p.cancellations,
      })),
      { a: '', b: '', c: '', d: '', e: '', f: '' },
      { a: '市民', b: '昵称（已脱敏）', c: '爽约次数', d: '禁约次数', e: '生效中禁约', f: '' },
      ...citizens.map((c) => ({ a: '市民', b: c.name, c: c.noShows, d: c.bans, e: c.activeBans, f: '' })),
    ];
    return xlsxOf<Row>({
      name: '信用',
      columns: [
        { header: '类别', width: 12, value: (r) => r.a },
        { header: '名称', width: 28, value: (r) => r.b },
        { header: '评价数', width: 10, value: (r) => r.c },
        { header: '平均星级', width: 10, value: (r) => r.d },
        { header: '投诉数', width: 10, value: (r) => r.e },
        { header: '服务方取消', width: 12, value: (r) => r.f },
      ],
      rows,
      notes: [
        `投诉：${COMPLAINT_MAX_STARS} 星及以下，或标记“${COMPLAINT_TAG}”的已发布评价。服务方取消：场馆取消的预订、社团取消的活动、未开展或取消的指导课。`,
      ],
      created: kernel.clock.now(),
    });
  }

  return {
    registerSource(kind: string, source: ReviewSource) {
      sources.set(kind, source);
    },
    registerTarget(kind: string, t: ReviewTarget) {
      targets.set(kind, t);
    },
    sourceKinds: () => [...sources.keys()],
    targetKinds: () => [...targets.keys()],
    create,
    list,
    mine,
    summaryOf,
    eligibility,
    openPhoto,
    reply,
    moderationQueue,
    moderate,
    credit,
    creditXlsx,
    heal: () => kernel.effects.sweep(OWNER),
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;

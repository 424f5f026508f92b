import { xlsxOf } from '../../platform/xlsx';
import { createHash } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { inShanghai, type DuesLedgerRow } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { emit } from '../../platform/outbox';
import { eachIsolated } from '../../platform/jobs';
import { addMonths, isDuplicate, OWNERS, TEMPLATES, type ClubDeps } from './club.context';
import { Club, ClubDues, ClubMember, type ClubDoc, type DuesDoc, type MemberDoc } from './club.model';

const HOLD_MINUTES = 30;
const REMIND_DAYS = 30;

/**
 * Annual dues: one held dues record per member at a time (a unique live key), paid through the
 * unified flow (order kind `club_dues`); the member's paid-until moves with a `$max`, so a
 * repeated step changes nothing. Refunds follow the club's policy (`none` or `prorata`).
 */
export function createClubDues(deps: ClubDeps) {
  const { kernel, payments } = deps;

  kernel.effects.define<DuesDoc>(OWNERS.dues, {
    collection: 'club_dues',
    steps: {
      'member.paidUntil': async (d) => {
        await ClubMember.collection.updateOne({ _id: d.memberId }, { $max: { paidUntil: d.periodEnd } });
      },
      'member.paidUntil.back': async (d) => {
        // the refunded period no longer counts: paid-until goes back to where it started (or now)
        const back = new Date(Math.max(d.periodStart.getTime(), Math.min(kernel.clock.now().getTime(), d.periodEnd.getTime())));
        await ClubMember.collection.updateOne({ _id: d.memberId, paidUntil: d.periodEnd }, { $set: { paidUntil: back } });
      },
      'event.paid': async (d) => {
        await emit(
          'club.dues_paid',
          {
            subject: deps.pseudonym(String(d.userId)),
            clubId: String(d.clubId),
            duesId: String(d._id),
            amountFen: d.amountFen,
            paidUntil: d.periodEnd.toISOString(),
          },
          { eventId: `club.dues_paid:${d._id}`, occurredAt: d.paidAt ?? kernel.clock.now() },
        );
      },
      refund: async (d) => {
        // one refund per dues, named by them: a re-run after a crash is that refund again, never a second
        await payments.refundOrder(d.orderId!, {
          amountFen: d.refundedFen,
          reason: d.refundReason ?? '会费退还',
          refundId: `RF${d._id.toHexString()}`,
        });
      },
      // the order of dues closed unpaid (the membership or the club ended): it can no longer be paid
      'order.close': async (d) => {
        // read again: a pay still in flight may have linked its order since the close
        const orderId = d.orderId ?? (await ClubDues.findById(d._id, { orderId: 1 }).lean<Pick<DuesDoc, 'orderId'>>())?.orderId;
        if (orderId) await payments.closeOrder(orderId, 'club dues closed: the membership or the club ended');
      },
    },
  });

  async function step(filter: Record<string, unknown>, set: Record<string, unknown>, steps: string[]) {
    const won = await kernel.effects.transition<DuesDoc>(OWNERS.dues, filter, set, steps);
    if (won) await kernel.effects.finish(OWNERS.dues, won);
    return won;
  }

  /**
   * Asks for a year of dues → the order to pay. With an Idempotency-Key a retry is answered from
   * the first attempt (kernel claimOnce); without one, a concurrent duplicate meets the unique
   * live key and gets the same order.
   */
  async function pay(userId: string, club: ClubDoc, member: MemberDoc, key?: string): Promise<{ orderId: string; duesId: string }> {
    if (club.duesFen <= 0) throw new AppError('CLUB_DUES_NOT_SET', 'this club has no dues');
    const run = async () => {
      const now = kernel.clock.now();
      const current = await ClubMember.findById(member._id).lean<MemberDoc>();
      if (!current || current.status !== 'member') throw new AppError('CLUB_NOT_MEMBER', 'members only');
      if (current.paidUntil && current.paidUntil.getTime() - now.getTime() > REMIND_DAYS * 86_400_000)
        throw new AppError('CLUB_DUES_ALREADY_PAID', 'dues are paid', { paidUntil: current.paidUntil.toISOString() });
      const open = await ClubDues.findOne({ liveKey: `${member._id}:held` }).lean<DuesDoc>();
      if (open) return heldOrder(open);
      const start = current.paidUntil && current.paidUntil > now ? current.paidUntil : now;
      const doc: DuesDoc = {
        _id: new Types.ObjectId(),
        clubId: club._id,
        userId: new Types.ObjectId(userId),
        memberId: member._id,
        liveKey: `${member._id}:held`,
        periodStart: start,
        periodEnd: addMonths(start, 12),
        amountFen: club.duesFen,
        status: 'held',
        orderId: null,
        paidAt: null,
        refundedFen: 0,
        refundReason: null,
        createdAt: now,
      };
      try {
        await ClubDues.collection.insertOne(doc);
      } catch (err) {
        if (!isDuplicate(err)) throw err;
        const first = await ClubDues.findOne({ liveKey: `${member._id}:held` }).lean<DuesDoc>();
        if (!first) throw new AppError('CONFLICT', 'please try again');
        return heldOrder(first);
      }
      kernel.crashPoint('club.dues:after-insert');
      const { orderId } = await payments.createOrder({
        kind: 'club_dues',
        ownerId: userId,
        refId: String(doc._id),
        description: `${club.name} 年度会费`,
        items: [{ name: `${club.name} 会费 ${inShanghai(start).format('YYYY-MM-DD')} 起一年`, quantity: 1, unitFen: club.duesFen }],
        amountFen: club.duesFen,
        expiresAt: new Date(now.getTime() + HOLD_MINUTES * 60_000),
        tags: { sport: club.sport },
      });
      await ClubDues.collection.updateOne({ _id: doc._id, orderId: null }, { $set: { orderId } });
      // the membership or the club may have ended while the order was made (its close may have run before
      // the order was linked, and seen none): read after the link, so the close or this sees the other
      const linked = await ClubDues.findById(doc._id, { status: 1 }).lean<Pick<DuesDoc, 'status'>>();
      if (linked?.status !== 'held' || !(await stillOwed(doc))) {
        await closeHeld({ _id: doc._id });
        await payments.closeOrder(orderId, 'club dues closed: the membership or the club ended');
        throw new AppError('CLUB_NOT_MEMBER', 'the membership or the club ended meanwhile');
      }
      return { orderId, duesId: String(doc._id) };
    };
    if (!key) return run();
    const hash = createHash('sha256').update(`dues:${club._id}`).digest('base64url');
    return (await kernel.claimOnce('club_dues', userId, key, hash, run)).result;
  }

  async function heldOrder(d: DuesDoc, waits = 40): Promise<{ orderId: string; duesId: string }> {
    // the first attempt may still be creating its order
    for (let i = 0; i < waits && !d.orderId; i++) {
      await new Promise((r) => setTimeout(r, 50));
      d = (await ClubDues.findById(d._id).lean<DuesDoc>()) ?? d;
    }
    if (!d.orderId) throw new AppError('CONFLICT', 'the first request is still being processed');
    return { orderId: d.orderId, duesId: String(d._id) };
  }

  /** Dues are owed while the member is a member of an approved club. */
  async function stillOwed(d: Pick<DuesDoc, 'memberId' | 'clubId'>) {
    const [m, c] = await Promise.all([
      ClubMember.findById(d.memberId, { status: 1 }).lean<Pick<MemberDoc, 'status'>>(),
      Club.findById(d.clubId, { status: 1 }).lean<Pick<ClubDoc, 'status'>>(),
    ]);
    return m?.status === 'member' && c?.status === 'approved';
  }

  /**
   * A membership ended, or the club was suspended or dissolved: its held (unpaid) dues close and
   * their orders with them. An order paid meanwhile then meets closed dues (onPaid: rejected) and
   * payment refunds it, so no money comes in with nothing behind it.
   */
  async function closeHeld(filter: { memberId?: Types.ObjectId; clubId?: Types.ObjectId; _id?: Types.ObjectId }) {
    const held = await ClubDues.find({ ...filter, status: 'held' })
      .limit(5000)
      .lean<DuesDoc[]>();
    let n = 0;
    for (const d of held)
      if (await step({ _id: d._id, status: 'held' }, { status: 'closed', liveKey: String(d._id) }, ['order.close'])) n++;
    return n;
  }

  async function onPaid(duesId: string): Promise<'applied' | 'rejected'> {
    const now = kernel.clock.now();
    const held = await ClubDues.findOne({ _id: new Types.ObjectId(duesId), status: 'held' }).lean<DuesDoc>();
    // paid for a membership or a club that has ended (a close that had not reached these dues yet): refunded
    if (held && !(await stillOwed(held))) {
      await closeHeld({ _id: held._id });
      return 'rejected';
    }
    const won = await step({ _id: new Types.ObjectId(duesId), status: 'held' }, { status: 'paid', paidAt: now, liveKey: duesId }, [
      'member.paidUntil',
      'event.paid',
    ]);
    if (won) return 'applied';
    const d = await ClubDues.findById(duesId).lean<DuesDoc>();
    return d && d.status === 'paid' ? 'applied' : 'rejected';
  }

  async function onClosed(duesId: string) {
    await step({ _id: new Types.ObjectId(duesId), status: 'held' }, { status: 'closed', liveKey: duesId }, []);
  }

  /** Whole months of the period still ahead, as a share of `paidFen` (the dues, or what was paid for them) (prorata policy). */
  function unusedFen(d: DuesDoc, now: Date, paidFen = d.amountFen): number {
    if (d.periodEnd <= now) return 0;
    const from = d.periodStart > now ? d.periodStart : now;
    let months = 0;
    while (addMonths(from, months + 1) <= d.periodEnd) months++;
    return Math.floor((paidFen * Math.min(12, months)) / 12);
  }

  async function refund(d: DuesDoc, reason: string, opts: { byAdmin: boolean; policy: 'none' | 'prorata' }) {
    const now = kernel.clock.now();
    if (d.status !== 'paid' || !d.orderId) throw new AppError('REFUND_NOT_ALLOWED', 'these dues are not paid');
    if (opts.policy === 'none' && !opts.byAdmin) throw new AppError('REFUND_NOT_ALLOWED', 'this club does not refund dues');
    // a voucher may have paid part of the dues: what goes back is a share of what the citizen paid
    const money = await payments.orderMoney?.(d.orderId);
    const paidFen = money ? money.payableFen : d.amountFen;
    const fen = opts.policy === 'none' ? paidFen : unusedFen(d, now, paidFen);
    if (fen <= 0) throw new AppError('REFUND_NOT_ALLOWED', 'nothing left to refund');
    return step({ _id: d._id, status: 'paid' }, { status: 'refunded', refundedFen: fen, refundReason: reason }, [
      'refund',
      'member.paidUntil.back',
    ]);
  }

  /** Payment's onRefundRequested for `club_dues`: the club's policy decides. */
  async function onRefundRequested(e: { refId: string; byAdmin: boolean; reason: string }) {
    const d = await ClubDues.findById(e.refId).lean<DuesDoc>();
    if (!d) throw new AppError('REFUND_NOT_ALLOWED', 'no such dues');
    const club = await Club.findById(d.clubId).lean<ClubDoc>();
    await refund(d, e.reason, { byAdmin: e.byAdmin, policy: club?.duesPolicy ?? 'none' });
  }

  /** A member left or was removed, or the club was dissolved: the policy says what is refunded. */
  async function applyPolicy(filter: { memberId?: Types.ObjectId; clubId?: Types.ObjectId }, policy: 'none' | 'prorata', reason: string) {
    if (policy === 'none') return 0;
    const now = kernel.clock.now();
    const paid = await ClubDues.find({ ...filter, status: 'paid', periodEnd: mongoose.trusted({ $gt: now }) }).lean<DuesDoc[]>();
    let n = 0;
    for (const d of paid) {
      if (unusedFen(d, now) <= 0) continue;
      if (await refund(d, reason, { byAdmin: true, policy })) n++;
    }
    return n;
  }

  async function ledger(clubId: string): Promise<DuesLedgerRow[]> {
    const rows = await ClubDues.find({ clubId, status: mongoose.trusted({ $in: ['held', 'paid', 'refunded'] }) })
      .sort({ _id: -1 })
      .limit(5000)
      .lean<DuesDoc[]>();
    const names = await deps.displayNames([...new Set(rows.map((r) => String(r.userId)))]);
    return rows.map((r) => ({
      id: String(r._id),
      nickname: names.get(String(r.userId)) ?? '会员',
      amountFen: r.amountFen,
      periodStart: r.periodStart.toISOString(),
      periodEnd: r.periodEnd.toISOString(),
      status: r.status,
      paidAt: r.paidAt ? r.paidAt.toISOString() : null,
      refundedFen: r.refundedFen,
    }));
  }

  const STATUS_ZH = { held: '待支付', paid: '已缴', refunded: '已退', closed: '已关闭' } as const;
  async function ledgerXlsx(clubId: string, clubName: string): Promise<Buffer> {
    const rows = await ledger(clubId);
    return xlsxOf({
      name: '会费台账',
      pageHeader: clubName,
      rows,
      columns: [
        { header: '成员', width: 16, value: (r) => r.nickname },
        { header: '金额（元）', width: 12, value: (r) => r.amountFen / 100 },
        { header: '期间开始', width: 14, value: (r) => inShanghai(new Date(r.periodStart)).format('YYYY-MM-DD') },
        { header: '期间结束', width: 14, value: (r) => inShanghai(new Date(r.periodEnd)).format('YYYY-MM-DD') },
        { header: '状态', width: 10, value: (r) => STATUS_ZH[r.status] },
        { header: '缴费时间', width: 20, value: (r) => (r.paidAt ? inShanghai(new Date(r.paidAt)).format('YYYY-MM-DD HH:mm') : '') },
        { header: '已退（元）', width: 12, value: (r) => r.refundedFen / 100 },
      ],
    });
  }

  /** The leased job: a reminder a month before paid-until, once per paid-until. */
  async function sendReminders() {
    const now = kernel.clock.now();
    const due = await ClubMember.find({
      status: 'member',
      paidUntil: mongoose.trusted({ $gt: now, $lte: new Date(now.getTime() + REMIND_DAYS * 86_400_000) }),
    })
      .limit(500)
      .lean<MemberDoc[]>();
    const clubs = new Map<string, ClubDoc | null>();
    return eachIsolated(
      due.filter((m) => !m.remindedFor || m.remindedFor.getTime() !== m.paidUntil!.getTime()),
      async (m) => {
        const won = await ClubMember.collection.updateOne(
          { _id: m._id, status: 'member', paidUntil: m.paidUntil, remindedFor: m.remindedFor },
          { $set: { remindedFor: m.paidUntil } },
        );
        if (won.modifiedCount !== 1) return false;
        const key = String(m.clubId);
        if (!clubs.has(key)) clubs.set(key, await Club.findById(m.clubId).lean<ClubDoc>());
        const club = clubs.get(key);
        if (!club || club.status !== 'approved') return false;
        await deps.notify(String(m.userId), TEMPLATES.duesReminder, {
          thing1: club.name.slice(0, 20),
          date2: inShanghai(m.paidUntil!).format('YYYY-MM-DD'),
          thing3: '会费即将到期，请及时续缴',
        });
        return true;
      },
      { logger: kernel.logger, job: 'club-dues-reminders' },
    );
  }

  /** Held dues whose order never got made (a crash between the two writes) are closed. */
  async function closeOrphans() {
    const cutoff = new Date(kernel.clock.now().getTime() - 5 * 60_000);
    const rows = await ClubDues.find({ status: 'held', orderId: null, createdAt: mongoose.trusted({ $lt: cutoff }) })
      .limit(200)
      .lean<DuesDoc[]>();
    for (const d of rows) await step({ _id: d._id, status: 'held', orderId: null }, { status: 'closed', liveKey: String(d._id) }, []);
    return { closed: rows.length, swept: await kernel.effects.sweep(OWNERS.dues) };
  }

  return { pay, onPaid, onClosed, onRefundRequested, applyPolicy, closeHeld, ledger, ledgerXlsx, sendReminders, closeOrphans };
}
export type ClubDuesService = ReturnType<typeof createClubDues>;

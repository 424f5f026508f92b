import QRCode from 'qrcode';
import mongoose, { Types } from 'mongoose';
import { businessDay, inShanghai, type CertificateDto } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { eachIsolated } from '../../platform/jobs';
import { EVENT_TEMPLATES, MAX_BATCH, type EventDeps } from './event.context';
import { EventGroup, EventResult, Registration, SportEvent, type EventDoc, type RegistrationDoc, type ResultDoc } from './event.model';
import { formatDuration } from './event.extras';
import type { Registrations } from './event.registrations';

const CODE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A result's verification code: a keyed hash of the result, 10 characters of an unambiguous alphabet. */
export function certCodeOf(keyedHash: EventDeps['keyedHash'], resultId: string): string {
  const bytes = Buffer.from(keyedHash('cert', resultId), 'base64url');
  return Array.from(bytes.subarray(0, 10), (b) => CODE_CHARS[b % CODE_CHARS.length]).join('');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Results certificates (成绩证书) and the subscribe messages after registering (draw result,
 * payment deadline, start reminder).
 */
export function createEventAfter(deps: EventDeps, core: { registrations: Registrations }) {
  const { kernel } = deps;

  async function certificateOf(r: ResultDoc, fullName?: string): Promise<CertificateDto & { eventId: string }> {
    const [event, group] = await Promise.all([
      SportEvent.findById(r.eventId).lean<EventDoc>(),
      EventGroup.findById(r.groupId, { name: 1 }).lean<{ name: string }>(),
    ]);
    if (!event) throw new AppError('CERTIFICATE_NOT_FOUND', 'no such certificate');
    return {
      eventId: String(event._id),
      code: r.certCode ?? certCodeOf(deps.keyedHash, String(r._id)),
      eventName: event.name,
      eventDay: businessDay(event.startAt),
      groupName: group?.name ?? '',
      name: fullName ?? r.maskedName,
      bib: r.bib,
      gunTime: formatDuration(r.gunSeconds),
      chipTime: formatDuration(r.chipSeconds),
      rankOverall: r.rankOverall,
      rankGroup: r.rankGroup,
      rankGender: r.rankGender,
      gender: r.gender,
    };
  }

  /** The runner's own certificate (others' registrations look absent), with the participant's real name. */
  async function myCertificate(userId: string, registrationId: string) {
    const reg = await core.registrations.findOwned(userId, registrationId);
    const result = await EventResult.findOne({ registrationId: reg._id }).lean<ResultDoc>();
    if (!result) throw new AppError('RESULT_NOT_FOUND', 'no result for this registration');
    const name = (JSON.parse(deps.cipher.decrypt(reg.sealed)) as { name: string }).name;
    return certificateOf(result, name);
  }

  /** Anyone can check a code: the event, group, masked name and times — nothing else personal. */
  async function verifyCertificate(code: string) {
    const result = await EventResult.findOne({ certCode: code }).lean<ResultDoc>();
    if (!result) throw new AppError('CERTIFICATE_NOT_FOUND', 'no such certificate');
    const c = await certificateOf(result);
    return {
      code: c.code,
      eventName: c.eventName,
      eventDay: c.eventDay,
      groupName: c.groupName,
      name: result.maskedName,
      gunTime: c.gunTime,
      chipTime: c.chipTime,
    };
  }

  /** The certificate as an SVG (Chinese text, a QR of the verification path and the code), 1080×1527 (A-series ratio). */
  async function certificateSvg(c: CertificateDto, verifyUrl: string): Promise<string> {
    const qr = await QRCode.toString(verifyUrl, { type: 'svg', margin: 0, errorCorrectionLevel: 'M', color: { dark: '#1f2937' } });
    const inner = qr.replace(/^[\s\S]*?<svg[^>]*viewBox="([^"]+)"[^>]*>/, '').replace(/<\/svg>\s*$/, '');
    const viewBox = /viewBox="([^"]+)"/.exec(qr)?.[1] ?? '0 0 33 33';
    const font = `font-family="'PingFang SC','Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif"`;
    const row = (y: number, label: string, value: string) =>
      `<text x="180" y="${y}" font-size="34" fill="#6b7280" ${font}>${esc(label)}</text>` +
      `<text x="900" y="${y}" font-size="40" fill="#111827" text-anchor="end" font-weight="600" ${font}>${esc(value)}</text>`;
    const gender = c.gender === 'M' ? '男子' : '女子';
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="1080" height="1527" viewBox="0 0 1080 1527">`,
      `<rect width="1080" height="1527" fill="#fffdf7"/>`,
      `<rect x="40" y="40" width="1000" height="1447" fill="none" stroke="#c8102e" stroke-width="6"/>`,
      `<rect x="60" y="60" width="960" height="1407" fill="none" stroke="#d4a84b" stroke-width="2"/>`,
      `<text x="540" y="200" font-size="76" fill="#c8102e" text-anchor="middle" font-weight="700" letter-spacing="12" ${font}>成绩证书</text>`,
      `<text x="540" y="262" font-size="28" fill="#9ca3af" text-anchor="middle" letter-spacing="4" ${font}>CERTIFICATE OF RESULT</text>`,
      `<text x="540" y="380" font-size="44" fill="#111827" text-anchor="middle" font-weight="600" ${font}>${esc(c.eventName)}</text>`,
      `<text x="540" y="440" font-size="30" fill="#6b7280" text-anchor="middle" ${font}>${esc(c.eventDay)}</text>`,
      `<text x="540" y="560" font-size="64" fill="#111827" text-anchor="middle" font-weight="700" ${font}>${esc(c.name)}</text>`,
      `<line x1="180" y1="610" x2="900" y2="610" stroke="#e5e7eb" stroke-width="2"/>`,
      row(690, '组别', c.groupName),
      row(760, '号码布', c.bib),
      row(830, '净成绩（芯片计时）', c.chipTime),
      row(900, '枪声成绩', c.gunTime),
      row(970, '总排名', `第 ${c.rankOverall} 名`),
      row(1040, '组别排名', `第 ${c.rankGroup} 名`),
      row(1110, `${gender}排名`, `第 ${c.rankGender} 名`),
      `<svg x="180" y="1190" width="200" height="200" viewBox="${viewBox}">${inner}</svg>`,
      `<text x="420" y="1260" font-size="30" fill="#6b7280" ${font}>验证码</text>`,
      `<text x="420" y="1320" font-size="48" fill="#111827" font-weight="700" letter-spacing="6" font-family="monospace">${esc(c.code)}</text>`,
      `<text x="420" y="1375" font-size="24" fill="#9ca3af" ${font}>扫码或在“成绩查询”中输入验证码核验</text>`,
      `</svg>`,
    ].join('');
  }

  // ---------- subscribe messages ----------
  /**
   * Each message once per registration: a guarded update adds the kind to `notified` before the
   * send (a re-run, or a second instance, finds it there and skips). A send that does not go out
   * (no consent credit) is not retried — the credit is spent only when WeChat took the message.
   */
  async function sendOnce(r: RegistrationDoc, kind: 'draw' | 'pay' | 'start', templateId: string, data: Record<string, string>) {
    const won = await Registration.collection.updateOne({ _id: r._id, notified: { $ne: kind } }, { $addToSet: { notified: kind } });
    if (won.modifiedCount !== 1) return false;
    await deps.notify(String(r.userId), templateId, data);
    return true;
  }

  const DRAW_LABEL: Record<string, string> = { won: '已中签', confirmed: '已中签', waitlisted: '候补中', entered: '未中签' };

  /** The leased job: draw results (drawn in the last 3 days), pay-by reminders (due within 24 h), start reminders (the day before). */
  async function sendReminders() {
    const now = kernel.clock.now();
    const hhmm = (d: Date) => inShanghai(d).format('YYYY-MM-DD HH:mm');
    const events = new Map<string, EventDoc>();
    const eventOf = async (id: Types.ObjectId) => {
      const key = String(id);
      if (!events.has(key)) {
        const e = await SportEvent.findById(id).lean<EventDoc>();
        if (e) events.set(key, e);
      }
      return events.get(key);
    };
    let sent = 0;
    const run = async (rows: RegistrationDoc[], send: (r: RegistrationDoc, e: EventDoc) => Promise<boolean>, job: string) => {
      const { done } = await eachIsolated(
        rows,
        async (r) => {
          const e = await eventOf(r.eventId);
          return e ? send(r, e) : false;
        },
        { logger: kernel.logger, job },
      );
      sent += done;
    };

    const drawn = await SportEvent.find({
      status: mongoose.trusted({ $in: ['drawn', 'finished'] }),
      drawnAt: mongoose.trusted({ $gte: new Date(now.getTime() - 3 * 86_400_000) }),
    })
      .limit(50)
      .lean<EventDoc[]>();
    for (const e of drawn) events.set(String(e._id), e);
    if (drawn.length)
      await run(
        await Registration.find({
          eventId: mongoose.trusted({ $in: drawn.map((e) => e._id) }),
          mode: 'lottery',
          status: mongoose.trusted({ $in: ['won', 'confirmed', 'waitlisted', 'entered'] }),
          notified: mongoose.trusted({ $ne: 'draw' }),
        })
          .limit(MAX_BATCH * 5)
          .lean<RegistrationDoc[]>(),
        (r, e) =>
          sendOnce(r, 'draw', EVENT_TEMPLATES.draw, {
            thing1: e.name.slice(0, 20),
            phrase2: (DRAW_LABEL[r.status] ?? '未中签').slice(0, 5),
            thing3:
              r.status === 'won' && r.payDeadline ? `请于${inShanghai(r.payDeadline).format('M月D日 HH:mm')}前支付` : '详情见我的报名',
          }),
        'event-draw-messages',
      );

    await run(
      await Registration.find({
        status: mongoose.trusted({ $in: ['won', 'offered'] }),
        payDeadline: mongoose.trusted({ $gt: now, $lte: new Date(now.getTime() + 24 * 3600_000) }),
        orderId: mongoose.trusted({ $ne: null }),
        notified: mongoose.trusted({ $ne: 'pay' }),
      })
        .limit(MAX_BATCH * 5)
        .lean<RegistrationDoc[]>(),
      (r, e) =>
        sendOnce(r, 'pay', EVENT_TEMPLATES.pay, {
          thing1: e.name.slice(0, 20),
          amount2: `${(r.feeFen / 100).toFixed(2)}元`,
          time3: hhmm(r.payDeadline!),
          thing4: r.status === 'offered' ? '候补递补名额，逾期将顺延' : '中签名额，逾期视为放弃',
        }),
      'event-pay-messages',
    );

    // the day before: events starting tomorrow (Shanghai days)
    const tomorrow = businessDay(new Date(now.getTime() + 86_400_000));
    const soon = (
      await SportEvent.find({
        status: mongoose.trusted({ $in: ['closed', 'drawn', 'registration_open'] }),
        startAt: mongoose.trusted({ $gt: now, $lte: new Date(now.getTime() + 48 * 3600_000) }),
      })
        .limit(50)
        .lean<EventDoc[]>()
    ).filter((e) => businessDay(e.startAt) === tomorrow);
    for (const e of soon) events.set(String(e._id), e);
    if (soon.length)
      await run(
        await Registration.find({
          eventId: mongoose.trusted({ $in: soon.map((e) => e._id) }),
          status: 'confirmed',
          notified: mongoose.trusted({ $ne: 'start' }),
        })
          .limit(MAX_BATCH * 5)
          .lean<RegistrationDoc[]>(),
        (r, e) =>
          sendOnce(r, 'start', EVENT_TEMPLATES.start, {
            thing1: e.name.slice(0, 20),
            time2: hhmm(e.startAt),
            thing3: e.place.slice(0, 20),
            thing4: r.bib ? `号码布 ${r.bib}，请携带身份证` : '请携带身份证及电子票',
          }),
        'event-start-messages',
      );
    return { sent };
  }

  return { myCertificate, verifyCertificate, certificateSvg, sendReminders, certCodeOf: (id: string) => certCodeOf(deps.keyedHash, id) };
}
export type EventAfter = ReturnType<typeof createEventAfter>;

import { xlsxOf } from '../../platform/xlsx';
import { randomInt } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { REGISTRATION_STATUS_LABELS_ZH, maskName } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { EVENT_GROUP_CAPACITY, type EventDeps } from './event.context';
import {
  EventGroup,
  EventResult,
  Registration,
  SportEvent,
  Team,
  type EventDoc,
  type EventGroupDoc,
  type RegistrationDoc,
  type ResultDoc,
  type TeamDoc,
} from './event.model';
import type { Registrations } from './event.registrations';
import { certCodeOf } from './event.after';

const CODE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const inviteCode = () => Array.from({ length: 8 }, () => CODE_CHARS[randomInt(CODE_CHARS.length)]).join('');

/** H:MM:SS or HH:MM:SS (or MM:SS) → seconds; null when not a time */
export function parseDuration(s: string): number | null {
  const m = /^(?:(\d{1,2}):)?([0-5]?\d):([0-5]\d)(?:\.\d+)?$/.exec(s.trim());
  if (!m) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}
export const formatDuration = (sec: number) =>
  `${Math.floor(sec / 3600)}:${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}`;

/** Teams, bibs, results, the organiser's registration list and export. */
export function createEventExtras(deps: EventDeps, core: { registrations: Registrations }) {
  const { kernel } = deps;
  void core;

  // ---------- teams ----------
  async function createTeam(userId: string, eventId: string, input: { groupId: string; name: string }) {
    const event = await SportEvent.findOne({ _id: eventId, status: mongoose.trusted({ $ne: 'draft' }) }).lean<EventDoc>();
    if (!event) throw new AppError('EVENT_NOT_FOUND', 'no such event');
    const group = await EventGroup.findOne({ _id: input.groupId, eventId: event._id }).lean<EventGroupDoc>();
    if (!group) throw new AppError('GROUP_NOT_FOUND', 'no such group in this event');
    if (!group.team) throw new AppError('VALIDATION_FAILED', 'this group has no teams', [{ path: 'groupId', message: 'no teams' }]);
    if (event.status !== 'registration_open') throw new AppError('EVENT_NOT_OPEN', 'registration is not open');
    const doc: TeamDoc = {
      _id: new Types.ObjectId(),
      eventId: event._id,
      groupId: group._id,
      captainId: new Types.ObjectId(userId),
      name: input.name,
      inviteCode: inviteCode(),
      minSize: group.team.minSize,
      maxSize: group.team.maxSize,
      remaining: group.team.maxSize,
      applied: [],
      open: true,
      createdAt: kernel.clock.now(),
    };
    await Team.collection.insertOne(doc);
    return { team: { id: String(doc._id), name: doc.name, inviteCode: doc.inviteCode, minSize: doc.minSize, maxSize: doc.maxSize } };
  }

  /** A team as its captain or a member sees it: complete when at least minSize members are confirmed and none still owes payment. */
  async function teamView(userId: string, teamId: string) {
    const team = await Team.findById(teamId).lean<TeamDoc>();
    if (!team) throw new AppError('TEAM_NOT_FOUND', 'no such team');
    const members = await Registration.find({
      teamId: team._id,
      status: mongoose.trusted({ $nin: ['failed', 'cancelled', 'expired', 'lapsed'] }),
    }).lean<RegistrationDoc[]>();
    const isCaptain = String(team.captainId) === userId;
    if (!isCaptain && !members.some((m) => String(m.userId) === userId)) throw new AppError('TEAM_NOT_FOUND', 'no such team');
    const confirmed = members.filter((m) => m.status === 'confirmed').length;
    return {
      team: {
        id: String(team._id),
        name: team.name,
        inviteCode: isCaptain ? team.inviteCode : null,
        minSize: team.minSize,
        maxSize: team.maxSize,
        members: members.map((m) => ({ name: m.masked.name, status: m.status })),
        complete: confirmed >= team.minSize && confirmed === members.length,
      },
    };
  }

  // ---------- bibs ----------
  /** After the close: confirmed entries get bib numbers per group (draw order, then registration order); a re-run only fills new ones. */
  async function assignBibs(actorId: string, e: EventDoc) {
    if (!['closed', 'drawn'].includes(e.status)) throw new AppError('EVENT_STATE_CONFLICT', 'bibs are assigned after the close');
    const groups = await EventGroup.find({ eventId: e._id }, { applied: 0 }).sort({ order: 1 }).lean<EventGroupDoc[]>();
    const report: { groupId: string; assigned: number }[] = [];
    for (const g of groups) {
      const taken = await Registration.countDocuments({ groupId: g._id, bib: mongoose.trusted({ $ne: null }) });
      const todo = await Registration.find({ groupId: g._id, status: 'confirmed', bib: null })
        .sort({ drawRank: 1, createdAt: 1, _id: 1 })
        .lean<RegistrationDoc[]>();
      const width = String(g.bibStart + g.capacity).length;
      const ops = todo.map((r, i) => ({
        updateOne: {
          filter: { _id: r._id, bib: null },
          update: { $set: { bib: `${g.bibPrefix}${String(g.bibStart + taken + i).padStart(width, '0')}` } },
        },
      }));
      if (ops.length) await Registration.collection.bulkWrite(ops as never, { ordered: true });
      report.push({ groupId: String(g._id), assigned: ops.length });
    }
    await SportEvent.updateOne({ _id: e._id }, { $set: { bibsAssignedAt: kernel.clock.now() } });
    await kernel.audit(actorId, 'event.bibs', null, { eventId: String(e._id), report });
    return { groups: report };
  }

  // ---------- results ----------
  async function importResults(actorId: string, e: EventDoc, csv: string) {
    if (!['closed', 'drawn', 'finished'].includes(e.status)) throw new AppError('EVENT_STATE_CONFLICT', 'results come after the close');
    const lines = csv.split(/\r?\n/).map((l) => l.trim());
    const rows: { bib: string; gun: number; chip: number }[] = [];
    const skipped: { line: number; reason: string }[] = [];
    const seen = new Set<string>();
    lines.forEach((line, i) => {
      if (!line || (i === 0 && /bib|号码/i.test(line))) return;
      const [bib, gun, chip] = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
      const g = gun ? parseDuration(gun) : null;
      const c = chip ? parseDuration(chip) : g;
      if (!bib || !/^[A-Z0-9]{1,16}$/.test(bib) || g === null || c === null) return void skipped.push({ line: i + 1, reason: 'format' });
      if (seen.has(bib)) return void skipped.push({ line: i + 1, reason: 'duplicate bib' });
      seen.add(bib);
      rows.push({ bib, gun: g, chip: c });
    });
    if (rows.length === 0)
      throw new AppError('RESULTS_INVALID', 'no result lines (bib,gunTime,chipTime)', { skipped: skipped.slice(0, 50) });
    if (rows.length > 100_000) throw new AppError('RESULTS_INVALID', 'too many lines');
    const regs = await Registration.find({
      eventId: e._id,
      bib: mongoose.trusted({ $in: rows.map((r) => r.bib) }),
      status: 'confirmed',
    }).lean<RegistrationDoc[]>();
    const byBib = new Map(regs.map((r) => [r.bib!, r]));
    const matched = rows.filter((r) => {
      if (byBib.has(r.bib)) return true;
      skipped.push({ line: 0, reason: `unknown bib ${r.bib}` });
      return false;
    });
    matched.sort((a, b) => a.chip - b.chip || a.gun - b.gun);
    const perGroup = new Map<string, number>();
    const perGender = new Map<string, number>();
    const docs: ResultDoc[] = matched.map((row, i) => {
      const r = byBib.get(row.bib)!;
      const _id = new Types.ObjectId();
      const gk = String(r.groupId);
      const sk = `${gk}:${r.gender}`;
      perGroup.set(gk, (perGroup.get(gk) ?? 0) + 1);
      perGender.set(sk, (perGender.get(sk) ?? 0) + 1);
      const name = (JSON.parse(deps.cipher.decrypt(r.sealed)) as { name: string }).name;
      return {
        _id,
        certCode: certCodeOf(deps.keyedHash, String(_id)),
        eventId: e._id,
        groupId: r.groupId,
        registrationId: r._id,
        bib: row.bib,
        maskedName: maskName(name),
        nameKey: r.nameKey,
        gender: r.gender,
        gunSeconds: row.gun,
        chipSeconds: row.chip,
        rankOverall: i + 1,
        rankGroup: perGroup.get(gk)!,
        rankGender: perGender.get(sk)!,
      };
    });
    await EventResult.deleteMany({ eventId: e._id });
    if (docs.length) await EventResult.collection.insertMany(docs);
    await SportEvent.updateOne({ _id: e._id }, { $set: { resultsImportedAt: kernel.clock.now() } });
    await kernel.audit(actorId, 'event.results', null, { eventId: String(e._id), imported: docs.length, skipped: skipped.length });
    return { imported: docs.length, skipped: skipped.slice(0, 200) };
  }

  /** Public results: by bib, or by the exact full name (matched by its keyed hash; names are shown masked). */
  async function results(eventId: string, q: { q?: string; groupId?: string }) {
    const e = await SportEvent.findOne({ _id: eventId, status: mongoose.trusted({ $ne: 'draft' }) }).lean<EventDoc>();
    if (!e) throw new AppError('EVENT_NOT_FOUND', 'no such event');
    const filter: Record<string, unknown> = { eventId: e._id };
    if (q.groupId) filter.groupId = new Types.ObjectId(q.groupId);
    if (q.q) {
      const term = q.q.trim();
      if (/^[A-Za-z0-9]{1,16}$/.test(term)) filter.$or = [{ bib: term.toUpperCase() }, { nameKey: deps.keyedHash('name', term) }];
      else filter.nameKey = deps.keyedHash('name', term);
    }
    const rows = await EventResult.find(filter).sort({ rankOverall: 1 }).limit(100).lean<ResultDoc[]>();
    const groups = new Map(
      (await EventGroup.find({ eventId: e._id }, { name: 1 }).lean<EventGroupDoc[]>()).map((g) => [String(g._id), g.name]),
    );
    return {
      items: rows.map((r) => ({
        bib: r.bib,
        name: r.maskedName,
        groupId: String(r.groupId),
        groupName: groups.get(String(r.groupId)) ?? '',
        gender: r.gender,
        gunTime: formatDuration(r.gunSeconds),
        chipTime: formatDuration(r.chipSeconds),
        rankOverall: r.rankOverall,
        rankGroup: r.rankGroup,
        rankGender: r.rankGender,
      })),
      nextCursor: null,
    };
  }

  // ---------- organiser's list ----------
  async function organiserRegistrations(e: EventDoc, q: { groupId?: string; cursor?: string; limit: number }) {
    const filter: Record<string, unknown> = { eventId: e._id, status: mongoose.trusted({ $nin: ['failed', 'taking'] }) };
    if (q.groupId) filter.groupId = new Types.ObjectId(q.groupId);
    const groups = await EventGroup.find({ eventId: e._id }, { applied: 0 }).sort({ order: 1 }).lean<EventGroupDoc[]>();
    const counts = await Registration.aggregate<{ _id: { g: Types.ObjectId; s: string }; n: number }>([
      { $match: { eventId: e._id } },
      { $group: { _id: { g: '$groupId', s: '$status' }, n: { $sum: 1 } } },
    ]);
    const page = await kernel.cursorPage<RegistrationDoc, Record<string, unknown>>(Registration, filter, q, (r) => ({
      id: String(r._id),
      groupId: String(r.groupId),
      status: r.status,
      participant: r.masked,
      gender: r.gender,
      ageOnRaceDay: r.ageOnRaceDay,
      guardian: r.guardian,
      bib: r.bib,
      drawRank: r.drawRank,
      teamId: r.teamId ? String(r.teamId) : null,
      createdAt: r.createdAt.toISOString(),
    }));
    return {
      ...page,
      groups: groups.map((g) => ({
        id: String(g._id),
        name: g.name,
        capacity: g.capacity,
        counts: Object.fromEntries(counts.filter((c) => String(c._id.g) === String(g._id)).map((c) => [c._id.s, c.n])),
      })),
    };
  }

  async function exportXlsx(actorId: string, e: EventDoc): Promise<Buffer> {
    const groups = new Map(
      (await EventGroup.find({ eventId: e._id }, { name: 1 }).lean<EventGroupDoc[]>()).map((g) => [String(g._id), g.name]),
    );
    const rows = Registration.find({ eventId: e._id, status: mongoose.trusted({ $nin: ['failed', 'taking'] }) })
      .sort({ _id: 1 })
      .lean<RegistrationDoc>()
      .cursor();
    const sheet = await xlsxOf<RegistrationDoc>({
      name: '报名名单',
      rows,
      columns: [
        { header: '组别', value: (r) => groups.get(String(r.groupId)) ?? '' },
        { header: '状态', value: (r) => REGISTRATION_STATUS_LABELS_ZH[r.status] },
        { header: '姓名', value: (r) => r.masked.name },
        { header: '证件号', value: (r) => r.masked.idNumber },
        { header: '手机', value: (r) => r.masked.phone },
        { header: '性别', value: (r) => (r.gender === 'M' ? '男' : '女') },
        { header: '比赛日年龄', value: (r) => r.ageOnRaceDay },
        { header: '号码布', value: (r) => r.bib ?? '' },
        { header: '报名时间', value: (r) => r.createdAt.toISOString() },
      ],
    });
    await kernel.audit(actorId, 'event.export', null, { eventId: String(e._id) });
    return sheet;
  }

  /** places left per group, read fresh (the calendar's figure is the same counter) */
  async function placesLeft(groupId: string) {
    const g = await mongoose.connection.collection('event_groups').findOne({ _id: new Types.ObjectId(groupId) });
    return g ? { remaining: g.remaining as number, kind: EVENT_GROUP_CAPACITY } : null;
  }

  return { createTeam, teamView, assignBibs, importResults, results, organiserRegistrations, exportXlsx, placesLeft };
}

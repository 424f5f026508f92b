import mongoose, { Schema, Types } from 'mongoose';
import { SPORT_LABELS_ZH, inShanghai, type ReleaseReminderInput, type Sport } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import { eachIsolated } from '../../platform/jobs';
import { releaseAtOf } from '../venue';
import type { BookingDeps } from './booking.context';

/**
 * 放号提醒 (issue 10): a citizen asks to be told when a venue's day is released; the leased
 * `release-reminders` job sends the subscribe message at the release minute, once (a guarded
 * `sentAt: null → now`). The hour-before reminder of a booking is `booking-reminders`.
 */
interface ReminderDoc {
  /** `<user>:<venue>:<day>:<sport or all>`: asking twice is one reminder */
  _id: string;
  userId: Types.ObjectId;
  venueId: Types.ObjectId;
  venueName: string;
  sport: Sport | null;
  day: string;
  remindAt: Date;
  sentAt: Date | null;
  createdAt: Date;
}
const ReminderSchemaDef = new Schema<ReminderDoc>(
  {
    _id: String,
    userId: { type: Schema.Types.ObjectId, required: true },
    venueId: { type: Schema.Types.ObjectId, required: true },
    venueName: String,
    sport: { type: String, default: null },
    day: { type: String, required: true },
    remindAt: { type: Date, required: true },
    sentAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'release_reminders', versionKey: false },
);
ReminderSchemaDef.index({ sentAt: 1, remindAt: 1 });
const Reminder = mongoose.model<ReminderDoc>('ReleaseReminder', ReminderSchemaDef);

const dto = (r: ReminderDoc) => ({
  id: r._id,
  venueId: String(r.venueId),
  sport: r.sport,
  date: r.day,
  remindAt: r.remindAt.toISOString(),
  sentAt: r.sentAt ? r.sentAt.toISOString() : null,
});

/** how far ahead a release may be to be reminded of */
const REMINDER_HORIZON_DAYS = 31;
const REMINDER_HORIZON_MS = REMINDER_HORIZON_DAYS * 86_400_000;

export function createReleaseReminders(deps: BookingDeps) {
  const { kernel, venues, logger } = deps;

  async function ask(userId: string, input: ReleaseReminderInput) {
    const venue = await venues.getVenue(input.venueId);
    if (input.sport && !venue.sports.includes(input.sport))
      throw new AppError('VALIDATION_FAILED', 'this venue has no such sport', [{ path: 'sport', message: 'not offered here' }]);
    const remindAt = releaseAtOf(input.date, venue.rules);
    const now = kernel.clock.now();
    if (remindAt <= now) throw new AppError('REMINDER_NOT_NEEDED', 'this day is released already', { releaseAt: remindAt.toISOString() });
    // a release years away is no reminder anyone waits for (and one citizen could store one for every day to come)
    if (remindAt.getTime() - now.getTime() > REMINDER_HORIZON_MS)
      throw new AppError('VALIDATION_FAILED', 'this day is released too far ahead to be reminded of', [
        { path: 'date', message: `released more than ${REMINDER_HORIZON_DAYS} days from now` },
      ]);
    const _id = `${userId}:${input.venueId}:${input.date}:${input.sport ?? 'all'}`;
    const r = await Reminder.findOneAndUpdate(
      { _id },
      {
        $setOnInsert: {
          userId: new Types.ObjectId(userId),
          venueId: new Types.ObjectId(input.venueId),
          venueName: venue.name,
          sport: input.sport ?? null,
          day: input.date,
          remindAt,
          sentAt: null,
          createdAt: now,
        },
      },
      { upsert: true, new: true },
    ).lean<ReminderDoc>();
    return dto(r!);
  }

  /** The caller's own reminders for a venue's day (any sport, sent or not): the slot page shows 已设置 after a reload. */
  async function mine(userId: string, venueId: string, day: string) {
    const rows = await Reminder.find({ userId: new Types.ObjectId(userId), venueId: new Types.ObjectId(venueId), day })
      .sort({ _id: 1 })
      .limit(50)
      .lean<ReminderDoc[]>();
    return rows.map(dto);
  }

  /** The job: every reminder whose release minute has come, once each. */
  async function sendDue(): Promise<number> {
    const now = kernel.clock.now();
    const due = await Reminder.find({ sentAt: null, remindAt: mongoose.trusted({ $lte: now }) })
      .limit(500)
      .lean<ReminderDoc[]>();
    const { done } = await eachIsolated(
      due,
      async (r) => {
        const won = await Reminder.updateOne({ _id: r._id, sentAt: null }, { $set: { sentAt: now } });
        if (won.modifiedCount !== 1) return false;
        await deps.notify(String(r.userId), 'release_reminder', {
          thing1: r.venueName.slice(0, 20),
          thing2: r.sport ? SPORT_LABELS_ZH[r.sport] : '全部项目',
          time3: `${r.day} ${inShanghai(r.remindAt).format('HH:mm')}`, // a time keyword takes a time only (WeChat 47003)
        });
      },
      { logger, job: 'release-reminders' },
    );
    return done;
  }

  return { ask, mine, sendDue };
}

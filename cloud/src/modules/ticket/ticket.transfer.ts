import { createHash, randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { TICKET_OPENS_MINUTES_BEFORE, maskName } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import type { Kernel } from '../../platform/kernel';
import { Ticket, type TicketDoc } from './ticket.model';

/**
 * Passing a ticket to a friend (issue 10): the holder makes a claim token for a share card; the
 * friend claims the ticket with it, once, before the entry window opens. Both steps are guarded
 * updates on the ticket (only a hash of the token is stored), and the claim is audited.
 */
const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

interface TransferFields {
  transfer?: { tokenHash: string; by: Types.ObjectId; at: Date } | null;
  transferredFrom?: Types.ObjectId[];
}

export function createTicketTransfers(deps: { kernel: Kernel; displayNames: (ids: string[]) => Promise<Map<string, string>> }) {
  const { kernel } = deps;
  const opensAt = (t: TicketDoc) => new Date(t.startAt.getTime() - TICKET_OPENS_MINUTES_BEFORE * 60_000);

  async function offer(userId: string, ticketId: string): Promise<{ claimToken: string; expiresAt: string }> {
    const t = await Ticket.findOne({ _id: ticketId, userId }).lean<TicketDoc>();
    if (!t) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
    const now = kernel.clock.now();
    if (t.status !== 'valid' || now >= opensAt(t))
      throw new AppError('TICKET_NOT_TRANSFERABLE', 'only a valid ticket can be passed on, before its entry window opens');
    const claimToken = randomBytes(24).toString('base64url');
    // a new card replaces an unclaimed one (the old link stops working)
    const res = await Ticket.collection.updateOne(
      { _id: t._id, userId: t.userId, status: 'valid' },
      { $set: { transfer: { tokenHash: hashOf(claimToken), by: t.userId, at: now } } },
    );
    if (res.modifiedCount !== 1) throw new AppError('TICKET_NOT_TRANSFERABLE', 'the ticket changed meanwhile');
    return { claimToken, expiresAt: opensAt(t).toISOString() };
  }

  async function claim(friendId: string, claimToken: string): Promise<TicketDoc> {
    const tokenHash = hashOf(claimToken);
    const t = await Ticket.collection.findOne<TicketDoc & TransferFields>({ 'transfer.tokenHash': tokenHash });
    if (!t || t.status !== 'valid') throw new AppError('TICKET_CLAIM_INVALID', 'no ticket waits for this token');
    if (String(t.userId) === friendId) throw new AppError('TICKET_CLAIM_OWN', 'this is your own ticket');
    if (kernel.clock.now() >= opensAt(t)) throw new AppError('TICKET_NOT_TRANSFERABLE', 'the entry window has opened');
    const names = await deps.displayNames([friendId]);
    const friend = new Types.ObjectId(friendId);
    // once: the token is cleared in the same guarded update that moves the ticket
    const won = await Ticket.collection.findOneAndUpdate(
      { _id: t._id, userId: t.userId, status: 'valid', 'transfer.tokenHash': tokenHash },
      {
        $set: { userId: friend, holderName: maskName(names.get(friendId) ?? '市民'), transfer: null },
        $push: { transferredFrom: t.userId },
      } as never,
      { returnDocument: 'after' },
    );
    if (!won) throw new AppError('TICKET_CLAIM_INVALID', 'claimed already');
    await kernel.audit(friendId, 'ticket.claimed', String(t.userId), { ticketId: String(t._id), source: t.source, seat: t.seat });
    return won as unknown as TicketDoc;
  }

  return { offer, claim };
}

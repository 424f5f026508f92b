import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import type { OutboxEventMap, OutboxEventType } from '@citysport/shared';
import type { Kernel } from '../../platform/kernel';
import { emit } from '../../platform/outbox';

/**
 * Reference data for the data centre (Chongqing 第十四条: changes and deletions reach the base
 * database). Each source lists its records' current snapshots; the `datacentre-reference` job
 * compares their hashes with the last version sent (`datacentre_refs`) and emits a new version on
 * a change and a `removed` version when a record is gone. The emit comes first and its eventId
 * names the version, so a crash between the two writes re-emits the same event (one event).
 *
 * ADDING A SOURCE (events, clubs, instructors, courses): one entry in `referenceSources` in
 * datacentre.module.ts — an event type `ref.<kind>` with its contract, and a `list()` through the
 * owning module's service.
 */
export type RefEventType = Extract<OutboxEventType, `ref.${string}`>;
export interface ReferenceSource<T extends RefEventType = RefEventType> {
  type: T;
  list(): Promise<{ id: string; snapshot: OutboxEventMap[T]['snapshot'] }[]>;
}

interface RefDoc {
  _id: string;
  type: string;
  refId: string;
  version: number;
  hash: string;
  removed: boolean;
  snapshot: Record<string, unknown>;
}

const hashOf = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

export function createReferenceSync(kernel: Kernel, sources: () => ReferenceSource[]) {
  const refs = () => mongoose.connection.collection<RefDoc>('datacentre_refs');

  async function sync(): Promise<{ changed: number; removed: number }> {
    let changed = 0;
    let removed = 0;
    for (const source of sources()) {
      const current = await source.list();
      const known = new Map((await refs().find({ type: source.type }).toArray()).map((r) => [r.refId, r]));
      const send = async (refId: string, snapshot: Record<string, unknown>, isRemoved: boolean, prev?: RefDoc) => {
        const version = (prev?.version ?? 0) + 1;
        await emit(source.type, { refId, version, removed: isRemoved, snapshot } as never, {
          eventId: `${source.type}:${refId}:v${version}`,
          occurredAt: kernel.clock.now(),
        });
        await refs().updateOne(
          { _id: `${source.type}:${refId}` },
          { $set: { type: source.type, refId, version, hash: hashOf(snapshot), removed: isRemoved, snapshot } },
          { upsert: true },
        );
      };
      for (const { id, snapshot } of current) {
        const prev = known.get(id);
        known.delete(id);
        if (prev && !prev.removed && prev.hash === hashOf(snapshot)) continue;
        await send(id, snapshot as Record<string, unknown>, false, prev);
        changed++;
      }
      for (const prev of known.values()) {
        if (prev.removed) continue;
        await send(prev.refId, prev.snapshot, true, prev);
        removed++;
      }
    }
    return { changed, removed };
  }

  /** the latest snapshot the data centre has of each record of a type (the rollups read districts here) */
  async function latest(type: RefEventType): Promise<RefDoc[]> {
    return refs().find({ type }).toArray();
  }

  return { sync, latest };
}

import type { Readable } from 'node:stream';
import mongoose, { Types } from 'mongoose';
import { fromBuffer } from 'file-type';
import { GUIDANCE_PHOTO_MAX_BYTES, GUIDANCE_PHOTO_TYPES } from '@citysport/shared';
import { AppError } from '../../platform/errors';
import type { Clock } from '../../platform/clock';

/**
 * Photos (profile pictures, session logs) in GridFS, MongoDB's own file store: `guidance_photos.files`
 * and `guidance_photos.chunks`, written through the driver's `GridFSBucket`. Checked on
 * mongo-java-server 1.47 (memory backend): upload, chunked read-back and delete work as on mongod.
 * The type is decided by the bytes (file-type), never by the name or the client's content type.
 */
export interface PhotoMeta {
  ownerId: Types.ObjectId;
  mime: string;
  size: number;
  /** the session whose log shows it, once attached */
  sessionId: Types.ObjectId | null;
  uploadedAt: Date;
}

const BUCKET = 'guidance_photos';

export function createGuidancePhotos(clock: Clock) {
  const bucket = () => new mongoose.mongo.GridFSBucket(mongoose.connection.db!, { bucketName: BUCKET, chunkSizeBytes: 255 * 1024 });
  const files = () => mongoose.connection.collection(`${BUCKET}.files`);

  async function upload(ownerId: string, data: Buffer) {
    if (data.length === 0) throw new AppError('VALIDATION_FAILED', 'empty file', [{ path: 'file', message: 'empty' }]);
    if (data.length > GUIDANCE_PHOTO_MAX_BYTES) throw new AppError('PHOTO_TOO_LARGE', `at most ${GUIDANCE_PHOTO_MAX_BYTES} bytes`);
    const type = await fromBuffer(data);
    if (!type || !(GUIDANCE_PHOTO_TYPES as readonly string[]).includes(type.mime))
      throw new AppError('PHOTO_TYPE_NOT_ALLOWED', 'only JPEG, PNG or WebP images', { detected: type?.mime ?? null });
    const id = new Types.ObjectId();
    const metadata: PhotoMeta = {
      ownerId: new Types.ObjectId(ownerId),
      mime: type.mime,
      size: data.length,
      sessionId: null,
      uploadedAt: clock.now(),
    };
    await new Promise<void>((resolve, reject) => {
      const stream = bucket().openUploadStreamWithId(id, `${id}.${type.ext}`, { metadata });
      stream.once('finish', () => resolve());
      stream.once('error', reject);
      stream.end(data);
    });
    return { id: String(id), mime: type.mime, size: data.length };
  }

  async function metaOf(photoId: string): Promise<PhotoMeta | null> {
    const f = await files().findOne({ _id: new Types.ObjectId(photoId) }, { projection: { metadata: 1 } });
    return (f?.metadata as PhotoMeta | undefined) ?? null;
  }

  /** The photo exists and was uploaded by `ownerId` (and, for a log, is not another session's). */
  async function requireOwn(photoId: string, ownerId: string, opts: { unattachedOr?: string } = {}) {
    const m = await metaOf(photoId);
    if (!m || String(m.ownerId) !== ownerId) throw new AppError('PHOTO_NOT_FOUND', 'no such photo of yours', { photoId });
    if (opts.unattachedOr && m.sessionId && String(m.sessionId) !== opts.unattachedOr)
      throw new AppError('PHOTO_NOT_FOUND', 'that photo belongs to another session', { photoId });
  }

  /** Attaches photos to a session's log (idempotent). */
  async function attach(photoIds: string[], sessionId: string) {
    if (!photoIds.length) return;
    await files().updateMany(
      { _id: { $in: photoIds.map((p) => new Types.ObjectId(p)) }, 'metadata.sessionId': null },
      { $set: { 'metadata.sessionId': new Types.ObjectId(sessionId) } },
    );
  }

  function open(photoId: string): Readable {
    return bucket().openDownloadStream(new Types.ObjectId(photoId));
  }

  return { upload, metaOf, requireOwn, attach, open };
}
export type GuidancePhotos = ReturnType<typeof createGuidancePhotos>;

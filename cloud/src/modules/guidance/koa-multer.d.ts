/** The part of @koa/multer 4 (which ships no types) that guidance's photo upload uses. */
declare module '@koa/multer' {
  import type { Middleware } from 'koa';
  interface Limits {
    fileSize?: number;
    files?: number;
    fields?: number;
    parts?: number;
  }
  interface Multer {
    single(field: string): Middleware;
  }
  interface MulterFactory {
    (opts: { storage: unknown; limits?: Limits }): Multer;
    memoryStorage(): unknown;
  }
  const multer: MulterFactory;
  export default multer;
}

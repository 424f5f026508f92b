/**
 * WeChat forbids `new Function`: zod must never try to JIT-compile its parsers there.
 * zod 4 decides per schema when the schema is built, so this module is imported first by app.ts,
 * before anything that builds schemas (@citysport/shared).
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };

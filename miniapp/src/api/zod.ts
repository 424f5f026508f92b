/**
 * WeChat forbids `new Function`: zod must never try to JIT-compile its parsers there.
 * zod 4 decides per schema when the schema is built, so this module is imported first by app.ts,
 * before anything that builds schemas (@citysport/shared).
 */
import { z } from 'zod';

z.config({ jitless: true });

// Import `z` from 'zod' itself elsewhere: re-exporting the namespace from this module made webpack
// keep all of zod in the main package's vendors.js (+390 KiB), as it cannot tree-shake through the hop.

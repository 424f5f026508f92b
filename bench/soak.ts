/**
 * The soak (issue 18): SOAK_MINUTES (30) of mixed citizen traffic at a steady rate — browse, book,
 * pay through the WeChat Pay stand-in, cancel (refund), scan at the gate, register for an event and
 * cancel — against one API process. Flows start on a fixed schedule (open loop), each by a citizen
 * who has none running; a start with every citizen busy is counted as "behind". Reports per window
 * the requests, unexpected answers and latency, and the API process's memory and handle counts
 * (sampled by the server after a full collection), then checks the books: every place taken is a
 * live booking, every paid-then-cancelled order refunded.
 *
 *   npm run bench:soak                                 (30 minutes; writes docs/benchmarks.md)
 *   SOAK_MINUTES=2 SOAK_WINDOW_MINUTES=0.5 npm run bench:soak -- --no-write      (a smoke run)
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { idCardCheckChar } from '@citysport/shared';
import { machineLine, percentile, writeSection } from './support/report';
import { WRITE_DOC, spawnStack } from './support/harness';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const WINDOW_MINUTES = Number(process.env.SOAK_WINDOW_MINUTES ?? 5);
const USERS = Number(process.env.SOAK_USERS ?? 60);
const FLOWS_PER_SEC = Number(process.env.SOAK_FLOWS_PER_SEC ?? 6);

interface Stack {
  url: string;
  engine: string;
  pid: number;
  venueId: string;
  days: string[];
  eventId: string;
  groupId: string;
  mockUrl: string;
  engineUri: string;
  dbName: string;
}

interface Call {
  at: number;
  label: string;
  ms: number;
  ok: boolean;
  status: number;
}

interface Sample {
  at: string;
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  handles: number;
  fds: number;
  afterGc: boolean;
}

class UnexpectedAnswer extends Error {}

const calls: Call[] = [];
const unexpected = new Map<string, number>();

function recordUnexpected(key: string) {
  unexpected.set(key, (unexpected.get(key) ?? 0) + 1);
}

/** One timed request; an answer other than `expect` is recorded (label, status, code) and ends the flow. */
async function call(
  base: string,
  label: string,
  method: string,
  p: string,
  opts: { token?: string; body?: unknown; expect?: number } = {},
): Promise<any> {
  const started = performance.now();
  let status = 0;
  let body: any = null;
  try {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: {
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    status = res.status;
    const text = await res.text();
    body = text ? JSON.parse(text) : null;
  } catch (err) {
    body = { error: { code: (err as Error).name } };
  }
  const ok = status === (opts.expect ?? 200);
  calls.push({ at: Date.now(), label, ms: performance.now() - started, ok, status });
  if (!ok) {
    recordUnexpected(`${label} → ${status || 'no answer'} ${body?.error?.code ?? ''}`.trim());
    throw new UnexpectedAnswer(label);
  }
  return body;
}

function idNumber(n: number): string {
  const first17 = `31${String(Math.floor(n / 500) % 10000).padStart(4, '0')}19800101${String(Math.floor(n / 5) % 100).padStart(2, '0')}${(n % 5) * 2 + 1}`;
  return first17 + idCardCheckChar(first17);
}

async function main() {
  const sampleFile = path.join(os.tmpdir(), `citysport-soak-${process.pid}.ndjson`);
  fs.rmSync(sampleFile, { force: true });
  const wechat = await spawnStack<{ url: string }>('wechat-server.ts');
  const { stack, stop } = await spawnStack<Stack>('soak-server.ts', {
    ...process.env,
    SOAK_WECHAT_URL: wechat.stack.url,
    SOAK_SAMPLES: sampleFile,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim(),
  });
  const api = `${stack.url}/api/v1`;
  const stats = { flows: {} as Record<string, number>, behind: 0, refundedChecked: 0 };
  try {
    console.log(
      `[soak] engine ${stack.engine}; API ${stack.url} (pid ${stack.pid}); ${MINUTES} min, ${FLOWS_PER_SEC} flows/s, ${USERS} citizens`,
    );
    const login = async (openid: string) =>
      ((await call(api, 'login', 'POST', '/auth/login', { body: { code: `mock:${openid}` } })) as { token: string }).token;
    const citizens: string[] = [];
    for (let i = 0; i < USERS; i++) citizens.push(await login(`soak-${i}`));
    const staff = await login('soak-staff');
    calls.length = 0; // set-up is not part of the soak

    let slots: { id: string; startAt: string }[] = [];
    let tomorrow: { id: string; startAt: string }[] = [];
    const slotsOf = async (day: string) =>
      ((await call(api, 'slots', 'GET', `/venues/${stack.venueId}/slots?date=${day}`)) as { items: typeof slots }).items;
    const refreshSlots = async () => {
      [slots, tomorrow] = [await slotsOf(stack.days[0]), await slotsOf(stack.days[1])];
    };
    await refreshSlots();
    /** a slot tomorrow evening: far enough ahead that cancelling is still allowed */
    const laterSlot = () => tomorrow[tomorrow.length - 1].id;
    /** the next slot that starts at least two minutes from now: bookable, and its ticket already opens */
    const nextSlot = () => {
      const s = slots.find((x) => Date.parse(x.startAt) > Date.now() + 120_000);
      if (!s) throw new Error('no slot left today: start the soak earlier in the day (Asia/Shanghai)');
      return s.id;
    };
    let entries = 0;
    const paidCancelled: string[] = [];

    const book = async (token: string, slotId: string) =>
      (
        (await call(api, 'book', 'POST', '/bookings', { token, body: { slotIds: [slotId] }, expect: 201 })) as {
          booking: { id: string; orderId: string };
        }
      ).booking;
    const pay = async (token: string, orderId: string) => {
      const paid = await call(api, 'pay', 'POST', `/orders/${orderId}/pay`, { token, body: {} });
      const prepayId = String(paid.payParams.package).replace('prepay_id=', '');
      await call(stack.mockUrl, 'wechat confirm', 'POST', `/mock/pay/${prepayId}/confirm`, { body: {} });
      for (let i = 0; i < 100; i++) {
        const { order } = await call(api, 'order', 'GET', `/orders/${orderId}`, { token });
        if (order.status === 'paid') return;
        await new Promise((r) => setTimeout(r, 100));
      }
      recordUnexpected('order not paid within 10 s of the confirmation');
      throw new UnexpectedAnswer('pay');
    };

    const flows: Record<string, { weight: number; run: (token: string) => Promise<void> }> = {
      browse: {
        weight: 3,
        run: async () => {
          await call(api, 'venues', 'GET', '/venues');
          await refreshSlots();
          await call(api, 'events', 'GET', '/events');
          await call(api, 'event', 'GET', `/events/${stack.eventId}`);
        },
      },
      'book, pay, scan': {
        weight: 3,
        run: async (token) => {
          const b = await book(token, nextSlot());
          await pay(token, b.orderId);
          // the order shows paid as soon as the notification is in; the booking's ticket follows it
          let ticket: { id: string } | undefined;
          for (let i = 0; i < 50 && !ticket; i++) {
            if (i > 0) await new Promise((r) => setTimeout(r, 100));
            const { items } = await call(api, 'tickets', 'GET', '/tickets/mine', { token });
            ticket = (items as { id: string; bookingId: string | null; status: string }[]).find(
              (t) => t.bookingId === b.id && t.status === 'valid',
            );
          }
          if (!ticket) {
            recordUnexpected('paid booking without a valid ticket 5 s after the order was paid');
            throw new UnexpectedAnswer('tickets');
          }
          const { code } = await call(api, 'ticket code', 'GET', `/tickets/${ticket.id}/code`, { token });
          await call(api, 'scan', 'POST', '/verifications', { token: staff, body: { code, venueId: stack.venueId } });
        },
      },
      'book, pay, cancel': {
        weight: 2,
        run: async (token) => {
          const b = await book(token, laterSlot());
          await pay(token, b.orderId);
          await call(api, 'cancel', 'POST', `/bookings/${b.id}/cancel`, { token, body: {} });
          paidCancelled.push(b.orderId);
        },
      },
      'book, cancel unpaid': {
        weight: 1,
        run: async (token) => {
          const b = await book(token, laterSlot());
          await call(api, 'cancel', 'POST', `/bookings/${b.id}/cancel`, { token, body: {} });
        },
      },
      'register, cancel': {
        weight: 1,
        run: async (token) => {
          const n = entries++;
          const { registration } = await call(api, 'register', 'POST', `/events/${stack.eventId}/registrations`, {
            token,
            expect: 201,
            body: {
              groupId: stack.groupId,
              participant: {
                name: `长跑者${n}`,
                idNumber: idNumber(n),
                phone: '13800138000',
                emergencyContact: { name: '家属', phone: '13900139000' },
              },
              healthPledge: true,
            },
          });
          await call(api, 'cancel registration', 'POST', `/registrations/${registration.id}/cancel`, { token, body: {} });
        },
      },
    };
    const wheel = Object.entries(flows).flatMap(([name, f]) => Array<string>(f.weight).fill(name));

    // the machine is shared (other jobs, the engine): its load is part of every latency figure
    const loads: { at: number; load: number }[] = [];
    const loadTimer = setInterval(() => loads.push({ at: Date.now(), load: os.loadavg()[0] }), 10_000);
    const free = [...citizens];
    const running = new Set<Promise<void>>();
    const started = Date.now();
    const end = started + MINUTES * 60_000;
    let k = 0;
    const interval = 1000 / FLOWS_PER_SEC;
    for (let due = started; due < end; due += interval) {
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const token = free.shift();
      if (!token) {
        stats.behind++;
        continue;
      }
      const name = wheel[k++ % wheel.length];
      stats.flows[name] = (stats.flows[name] ?? 0) + 1;
      const flow = flows[name]
        .run(token)
        .catch((err) => {
          if (!(err instanceof UnexpectedAnswer)) recordUnexpected(`${name}: ${(err as Error).message}`);
        })
        .finally(() => {
          free.push(token);
          running.delete(flow);
        });
      running.add(flow);
    }
    await Promise.all(running);
    const loadEnded = Date.now();
    clearInterval(loadTimer);

    // the books: jobs finish the refunds; every place is a live booking
    await mongoose.connect(stack.engineUri, { dbName: stack.dbName });
    const db = mongoose.connection.db!;
    const refundsSettled = async () =>
      (await db
        .collection('orders')
        .countDocuments({ _id: { $in: paidCancelled.map((id) => new mongoose.Types.ObjectId(id)) }, status: 'refunded' })) ===
      paidCancelled.length;
    for (let i = 0; i < 120 && !(await refundsSettled()); i++) await new Promise((r) => setTimeout(r, 1000));
    const refunded = await db
      .collection('orders')
      .countDocuments({ _id: { $in: paidCancelled.map((id) => new mongoose.Types.ObjectId(id)) }, status: 'refunded' });
    const slotRows = await db
      .collection('slots')
      .find({ venueId: new mongoose.Types.ObjectId(stack.venueId) })
      .toArray();
    let inconsistentSlots = 0;
    for (const s of slotRows) {
      const [live] = await db
        .collection('bookings')
        .aggregate([
          { $match: { slotIds: s._id, status: { $in: ['held', 'confirmed', 'used'] } } },
          { $group: { _id: null, places: { $sum: '$quantity' } } },
        ])
        .toArray();
      if ((live?.places ?? 0) + (s.remaining as number) !== (s.capacity as number)) inconsistentSlots++;
    }

    // figures per window
    const samples = fs
      .readFileSync(sampleFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Sample)
      .filter((s) => Date.parse(s.at) >= started && Date.parse(s.at) <= loadEnded + 5_000);
    const windowMs = WINDOW_MINUTES * 60_000;
    const rows: string[] = [];
    for (let from = started; from < loadEnded; from += windowMs) {
      const inWindow = calls.filter((c) => c.at >= from && c.at < from + windowMs);
      if (inWindow.length === 0 || loadEnded - from < 5_000) continue; // a sliver at the end says nothing
      const times = inWindow.map((c) => c.ms).sort((a, b) => a - b);
      const last = samples.filter((s) => Date.parse(s.at) < from + windowMs).at(-1);
      const windowLoads = loads.filter((l) => l.at >= from && l.at < from + windowMs).map((l) => l.load);
      const load = windowLoads.length ? (windowLoads.reduce((a, b) => a + b, 0) / windowLoads.length).toFixed(1) : '—';
      rows.push(
        `| ${((from - started) / 60_000).toFixed(1)}–${((Math.min(from + windowMs, loadEnded) - started) / 60_000).toFixed(1)} min | ${inWindow.length} | ${(inWindow.length / (Math.min(windowMs, loadEnded - from) / 1000)).toFixed(1)} | ${inWindow.filter((c) => !c.ok).length} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 99).toFixed(1)} | ${last ? last.rssMiB.toFixed(0) : '—'} | ${last ? last.heapUsedMiB.toFixed(1) : '—'} | ${last?.handles ?? '—'} | ${last?.fds ?? '—'} | ${load} |`,
      );
    }
    const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * (samples.length - 1)))];
    const [first, middle, last] = [at(0), at(0.5), at(1)];
    const mem = (s: Sample) => `${s.rssMiB.toFixed(0)} MiB RSS, heap ${s.heapUsedMiB.toFixed(1)} MiB, ${s.handles} handles, ${s.fds} fds`;
    const failed = calls.filter((c) => !c.ok).length;
    const unexpectedList = [...unexpected.entries()].map(([k2, v]) => `${k2} ×${v}`).join('; ') || 'none';

    const md = `## Soak (\`bench/soak.ts\`)

- Command: \`npm run bench:soak\` — ${new Date().toISOString().slice(0, 10)}, code at ${execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim()}
- Machine: ${machineLine()}
- Engine: ${stack.engine} (fresh, in memory); one API process; the WeChat stand-ins in a second (what they keep is WeChat's memory), the load generator in a third; all share the cores.
- Load: ${MINUTES} min, flows started on a fixed schedule at ${FLOWS_PER_SEC}/s by ${USERS} citizens (a citizen runs one flow at a time): browse (venues, today's and tomorrow's slots, events) ×3, book → pay (JSAPI order at the stand-in, the user pays, signed notification) → ticket code → scan at the gate ×3, book → pay → cancel (refund) ×2, book → cancel unpaid ×1, register for a free event → cancel ×1. Flows run: ${Object.entries(
      stats.flows,
    )
      .map(([n, v]) => `${n} ${v}`)
      .join(', ')}; starts with every citizen busy: ${stats.behind}.
- Memory of the API process, sampled every 10 s after a full collection: **start ${mem(first)}; middle ${mem(middle)}; end ${mem(last)}**.
- Requests: ${calls.length}, unexpected answers: **${failed}** (${unexpectedList}).
- The books afterwards: ${refunded}/${paidCancelled.length} paid-then-cancelled orders refunded; slots whose remaining ≠ capacity − live places: **${inconsistentSlots}**.

| window | requests | req/s | unexpected | p50 ms | p99 ms | RSS MiB | heap MiB | handles | fds | machine load (1 min) |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
    console.log(md);
    if (WRITE_DOC) {
      writeSection('soak', md);
      console.log('[soak] written to docs/benchmarks.md');
    } else console.log('[soak] --no-write: docs/benchmarks.md left as it was');
    if (inconsistentSlots > 0 || refunded !== paidCancelled.length) process.exitCode = 1;
  } finally {
    await mongoose.disconnect();
    await stop();
    await wechat.stop();
    fs.rmSync(sampleFile, { force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

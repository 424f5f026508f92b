/**
 * Re-runs an event's lottery from public data only and says whether the published winners match.
 *
 *   npm run verify:draw -- <api base, e.g. http://127.0.0.1:3000/api/v1> <eventId>
 *
 * It reads GET /events/:id/draw (seed, commitment, digest, groups, published winners) and every
 * page of GET /events/:id/draw/entries, then checks, independently of the server's code:
 * SHA-256(seed) = the commitment published at opening; the entry list's digest = the one published
 * at the close; and per group the ranking by HMAC-SHA256(seed, entryRef) ascending gives exactly
 * the published winners and waitlist, in order. Exit code 0 when everything matches.
 */
import { createHash, createHmac } from 'node:crypto';

interface PublicDraw {
  seedCommitment: string | null;
  entriesDigest: string | null;
  seed: string | null;
  groups: { id: string; capacity: number; waitlistSize: number }[];
  winners?: Record<string, string[]>;
  waitlist?: Record<string, string[]>;
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  checks: { commitment: boolean; digest: boolean; winners: boolean; waitlist: boolean };
  winners: Record<string, string[]>;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function getJson(url: string) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json() as Promise<any>;
}

export async function verifyDraw(api: string, eventId: string): Promise<VerifyReport> {
  const base = api.replace(/\/$/, '');
  const draw = (await getJson(`${base}/events/${eventId}/draw`)).draw as PublicDraw;
  if (!draw.seed) throw new Error('the draw has not been made yet (no seed published)');
  const entries: { entryRef: string; groupId: string }[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: { entryRef: string; groupId: string }[]; nextCursor: string | null } = await getJson(
      `${base}/events/${eventId}/draw/entries?limit=5000${cursor ? `&cursor=${cursor}` : ''}`,
    );
    entries.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);

  const commitment = createHash('sha256').update(draw.seed, 'utf8').digest('hex') === draw.seedCommitment;
  const digestHash = createHash('sha256');
  for (const e of [...entries].sort((a, b) => cmp(a.entryRef, b.entryRef))) digestHash.update(`${e.entryRef} ${e.groupId}\n`, 'utf8');
  const digest = digestHash.digest('hex') === draw.entriesDigest;

  const winners: Record<string, string[]> = {};
  let winnersOk = true;
  let waitOk = true;
  for (const g of draw.groups) {
    const ranked = entries
      .filter((e) => e.groupId === g.id)
      .map((e) => ({ ref: e.entryRef, key: createHmac('sha256', draw.seed!).update(e.entryRef, 'utf8').digest('hex') }))
      .sort((a, b) => cmp(a.key, b.key) || cmp(a.ref, b.ref))
      .map((x) => x.ref);
    winners[g.id] = ranked.slice(0, g.capacity);
    const wait = ranked.slice(g.capacity, g.capacity + g.waitlistSize);
    if (JSON.stringify(winners[g.id]) !== JSON.stringify(draw.winners?.[g.id] ?? [])) winnersOk = false;
    if (JSON.stringify(wait) !== JSON.stringify(draw.waitlist?.[g.id] ?? [])) waitOk = false;
  }
  const checks = { commitment, digest, winners: winnersOk, waitlist: waitOk };
  return { ok: Object.values(checks).every(Boolean), entries: entries.length, checks, winners };
}

if (require.main === module) {
  const [api, eventId] = process.argv.slice(2);
  if (!api || !eventId) {
    process.stderr.write('usage: npm run verify:draw -- <api base> <eventId>\n');
    process.exit(2);
  }
  verifyDraw(api, eventId).then(
    (r) => {
      process.stdout.write(
        `entries: ${r.entries}\nseed matches commitment: ${r.checks.commitment}\nentry list matches digest: ${r.checks.digest}\n` +
          `winners match: ${r.checks.winners}\nwaitlist matches: ${r.checks.waitlist}\n${r.ok ? 'MATCH' : 'MISMATCH'}\n`,
      );
      process.exit(r.ok ? 0 : 1);
    },
    (err) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(2);
    },
  );
}

/**
 * `npm run seed:history [-- --bookings 1000000]`: a year of booking history for the dashboards,
 * bulk-inserted into the rollup facts, then the cells rebuilt from them. Needs the demo venues
 * (`npm run seed` first). Stop `npm start` first when using the embedded engine. On empty fact
 * collections the cells are folded in process as the facts are generated; otherwise they are
 * recomputed from every fact after. A million bookings need ~8 GB in the embedded engine
 * (mongo-java-server): start it with `JAVA_TOOL_OPTIONS=-Xmx10g` (its default heap is ¼ of RAM).
 */
import {
  connectDatabase,
  createApp,
  createLogger,
  disconnectDatabase,
  ensureIndexes,
  loadConfig,
  resolveEngine,
  withDevSecretsAllowed,
  ROLLUP_COLLECTIONS as COLL,
  type BookingFact,
  type DatacentreService,
  type OrderFact,
  type ParticipationFact,
} from '@citysport/cloud';
import mongoose from 'mongoose';
import { businessDay } from '@citysport/shared';
import { seedBookingHistory } from './datacentre-history';

const FACTS = [COLL.bookingFacts, COLL.orderFacts, COLL.participationFacts];

async function main() {
  const i = process.argv.indexOf('--bookings');
  const bookings = i >= 0 ? Number(process.argv[i + 1]) : 1_000_000;
  if (!Number.isInteger(bookings) || bookings < 1) throw new Error('usage: npm run seed:history -- --bookings N');
  const config = loadConfig(withDevSecretsAllowed(process.env));
  const engine = await resolveEngine({
    mongodbUri: config.MONGODB_URI,
    dataDir: config.DATA_DIR,
    persistent: true,
    progress: (m) => console.log(`[engine] ${m}`),
  });
  try {
    await connectDatabase(engine.uri, config.DB_NAME);
    await ensureIndexes();
    const { services, modules } = createApp({ config, logger: createLogger(config.LOG_LEVEL), engineName: engine.name });
    const ids = await services.venues.allVenueIds();
    if (!ids.length) throw new Error('no venues: run `npm run seed` first');
    const venues = (await services.venues.venueSummaries(ids)).map((v) => ({ id: v.id, district: v.district, sports: v.sports }));
    const dc = modules.get('datacentre') as DatacentreService;
    // no facts yet: the cells are folded as the facts are generated; otherwise recomputed from all facts after
    const db = mongoose.connection.db!;
    const fresh = (await Promise.all(FACTS.map((c) => db.collection(c).estimatedDocumentCount()))).every((n) => n === 0);
    const builder = fresh ? dc.rollups.cellBuilder() : null;
    const t0 = Date.now();
    const r = await seedBookingHistory({
      venues,
      bookings,
      lastDay: businessDay(new Date()),
      log: (m) => console.log(`[history] ${m}`),
      onFacts: builder
        ? (f) => {
            for (const b of f.bookings) builder.booking(b as BookingFact);
            for (const o of f.orders) builder.order(o as OrderFact);
            for (const p of f.participation) builder.participation(p as ParticipationFact);
          }
        : undefined,
    });
    const t1 = Date.now();
    const cells = builder ? await dc.rollups.writeCells(builder) : await dc.rollups.rebuildCells();
    console.log(
      `[history] ${JSON.stringify(r)} in ${((t1 - t0) / 1000).toFixed(1)} s; cells ${JSON.stringify(cells)} in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
    );
  } finally {
    await disconnectDatabase();
    await engine.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

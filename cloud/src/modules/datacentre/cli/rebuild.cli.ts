/**
 * `npm run rollups:rebuild`: drops the rollup facts and cells and folds every outbox event again.
 * `npm run rollups:rebuild -- --cells-only`: recomputes the cells from the facts (after `seed:history`).
 */
import { withDatacentre } from './run-with-app';

withDatacentre('rollups:rebuild', async (dc, args) =>
  args.includes('--cells-only') ? dc.rollups.rebuildCells() : dc.rollups.rebuild(),
).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

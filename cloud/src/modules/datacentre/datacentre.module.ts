import path from 'node:path';
import type { GrantLookup } from '../../platform/auth';
import type { ModuleDescriptor } from '../../platform/module';
import type { VenueService } from '../venue';
import { createDashboards } from './dashboard';
import { createFeed } from './feed';
import { createReferenceSync, type ReferenceSource } from './reference';
import { createReports } from './reports';
import { createRollups } from './rollups';
import { createPlans } from './plans';
import { datacentreRoutes } from './datacentre.routes';

interface IdentityLookups {
  grantsOf: GrantLookup;
}

/**
 * The data-centre feed and the bureau's view of it (issue 17): delivery, reference snapshots,
 * rollups, dashboards, the dispatch report. Listed last in app.ts, so it can read every domain
 * through its service; other domains' reference sources join `referenceSources` below.
 */
export function createDatacentre(deps: Parameters<ModuleDescriptor['create']>[0]) {
  const { kernel, config, use } = deps;
  const venues = () => use<VenueService>('venue');
  const feed = createFeed({
    kernel,
    url: config.DATA_CENTRE_URL,
    secret: config.DATA_CENTRE_SECRET,
    timeoutMs: config.DATA_CENTRE_TIMEOUT_MS,
    batchSize: config.DATA_CENTRE_BATCH_SIZE,
    maxAttempts: config.DATA_CENTRE_MAX_ATTEMPTS,
  });
  const venueList = async () => venues().venueSummaries(await venues().allVenueIds());
  const referenceSources = (): ReferenceSource[] => [
    {
      type: 'ref.venue',
      list: async () =>
        (await venueList()).map((v) => ({
          id: v.id,
          snapshot: {
            name: v.name,
            district: v.district,
            address: v.address,
            location: { lat: v.location.lat, lng: v.location.lng },
            sports: v.sports,
            freeOrLowFee: v.freeOrLowFee,
            openHours: { open: v.openHours.open, close: v.openHours.close, ...(v.openHours.note ? { note: v.openHours.note } : {}) },
          },
        })),
    } as ReferenceSource<'ref.venue'>,
    {
      type: 'ref.resource',
      list: async () => {
        const out: { id: string; snapshot: { venueId: string; name: string; sport: string; kind: string; templates: number } }[] = [];
        for (const id of await venues().allVenueIds()) {
          const v = await venues().getVenue(id);
          for (const r of v.resources)
            out.push({ id: r.id, snapshot: { venueId: id, name: r.name, sport: r.sport, kind: r.kind, templates: r.templates.length } });
        }
        return out;
      },
    } as ReferenceSource<'ref.resource'>,
  ];
  const reference = createReferenceSync(kernel, referenceSources);
  const rollups = createRollups({
    kernel,
    districtsOf: async (ids) => new Map((await venues().venueSummaries(ids)).map((v) => [v.id, v.district])),
  });
  const dashboards = createDashboards({
    kernel,
    venues: async () => (await venueList()).map((v) => ({ id: v.id, name: v.name, district: v.district, freeOrLowFee: v.freeOrLowFee })),
    supplyByDay: (from, to, lowFee) => venues().supplyByDay(from, to, lowFee),
  });
  const reports = createReports({ kernel, dashboards, exportDir: path.join(config.DATA_DIR, 'datacentre') });
  const plans = createPlans(kernel);
  return { feed, reference, rollups, dashboards, reports, plans };
}
export type DatacentreService = ReturnType<typeof createDatacentre>;

export const datacentreModule: ModuleDescriptor<DatacentreService> = {
  name: 'datacentre',
  create: createDatacentre,
  // reads of others' personal data and exports, audited naming the reader (platform/audit personalDataAudit)
  personalData: {
    'GET /admin/feed/export': { what: 'the data-centre NDJSON export of a day (feed export)' },
    'GET /admin/reports/dispatch': { what: 'the monthly dispatch report (xlsx export)', exportOnly: true },
  },
  routes: (s, { use, kernel }) => [datacentreRoutes(s, { grantsOf: (id) => use<IdentityLookups>('identity').grantsOf(id), kernel })],
  jobs: (s) => [
    { name: 'datacentre-feed', everyMs: 2_000, run: () => s.feed.deliver() },
    { name: 'datacentre-rollups', everyMs: 10_000, run: () => s.rollups.run() },
    { name: 'datacentre-reference', everyMs: 5 * 60_000, run: () => s.reference.sync() },
    { name: 'datacentre-export', everyMs: 60 * 60_000, run: () => s.reports.exportYesterday() },
    { name: 'datacentre-dispatch', everyMs: 60 * 60_000, run: () => s.reports.monthly() },
  ],
};

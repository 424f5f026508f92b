import type { ModuleDescriptor } from '../../platform/module';
import { createVenueService, type VenueService } from './venue.service';
import { venueRoutes } from './venue.routes';

export {
  createVenueService,
  addDays,
  releaseAtOf,
  SLOT_CAPACITY,
  type VenueService,
  type NewVenue,
  type NewResource,
  type BookableSlot,
} from './venue.service';
export { venueRoutes } from './venue.routes';

/** Venues, courts and their slots (the slot capacity kind is defined when the service is created). */
export const venueModule: ModuleDescriptor<VenueService> = {
  name: 'venue',
  create: ({ kernel }) => createVenueService({ kernel, clock: kernel.clock }),
  routes: (venues) => [venueRoutes(venues)],
  roleScopes: (venues) => ({ staff: (id) => venues.venueExists(id), venue_manager: (id) => venues.venueExists(id) }),
  jobs: (venues) => [
    {
      // slots stay materialised through each venue's advance window (re-runs insert only what is missing)
      name: 'materialise-slots',
      everyMs: 60 * 60 * 1000,
      async run() {
        let inserted = 0;
        let failed = 0;
        for (const venueId of await venues.allVenueIds()) {
          try {
            inserted += await venues.materialiseSlots(venueId);
          } catch {
            failed++; // one venue's bad template never stops the others
          }
        }
        return { inserted, failed };
      },
    },
  ],
};

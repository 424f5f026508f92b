export { createVenueService, type VenueService, type NewVenue, type NewResource } from './venue.service';
export { venueRoutes } from './venue.routes';

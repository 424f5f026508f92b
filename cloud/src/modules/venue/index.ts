export { createVenueService, addDays, type VenueService, type NewVenue, type NewResource, type BookableSlot } from './venue.service';
export { venueRoutes } from './venue.routes';

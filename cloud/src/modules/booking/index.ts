export { createBookingService, type BookingService, type BookingDeps } from './booking.service';
export { bookingRoutes, manageRoutes } from './booking.routes';

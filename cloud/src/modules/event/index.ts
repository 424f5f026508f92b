export { eventModule } from './event.module';
export { createEventService, type EventService } from './event.service';
export { TAKING_STALE_MS as EVENT_TAKING_STALE_MS } from './event.registrations';

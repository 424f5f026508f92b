export { createTicketService, type TicketService, type AdmissionSource } from './ticket.service';
export { ticketRoutes } from './ticket.routes';

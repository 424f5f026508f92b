export { datacentreModule, createDatacentre, type DatacentreService } from './datacentre.module';
export { signBody, SIGNATURE_HEADER } from './feed';
export { PARTICIPATION, COLL as ROLLUP_COLLECTIONS, type BookingFact, type OrderFact, type ParticipationFact } from './rollups';
export { dispatchWorkbook } from './reports';

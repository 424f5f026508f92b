export { datacentreModule, createDatacentre, type DatacentreService } from './datacentre.module';
export { signBody, SIGNATURE_HEADER } from './feed';
export { PARTICIPATION } from './rollups';
export { dispatchWorkbook } from './reports';

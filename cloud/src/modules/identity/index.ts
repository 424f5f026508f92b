export { createIdentityService, type IdentityService, type IdentityDeps } from './identity.service';
export { identityRoutes } from './identity.routes';
export { identityModule } from './identity.module';

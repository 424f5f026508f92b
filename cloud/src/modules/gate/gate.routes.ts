import Router from '@koa/router';
import type { Middleware } from 'koa';
import {
  DeviceSyncSchema,
  DeviceVerifyRequestSchema,
  HeartbeatSchema,
  IdSchema,
  NewDeviceSchema,
  OccupancyCapacitySchema,
  NewWalkupProductSchema,
  PairRequestSchema,
  WalkupQuerySchema,
  WalkupRequestSchema,
} from '@citysport/shared';
import { currentUser, requireRole, requireUser, type AuthState, type GrantLookup } from '../../platform/auth';
import { parse } from '../../platform/validate';
import type { Clock } from '../../platform/clock';
import { claimNonce, deviceAuth, type DeviceState } from './gate.auth';
import type { GateService } from './gate.service';
import type { WalkupService } from './walkup.service';

type State = AuthState & DeviceState & { venueId?: string };

export function gateRoutes(service: GateService, deps: { grantsOf: GrantLookup; clock: Clock }) {
  const router = new Router<State>();
  const venueParam: Middleware<State> = async (ctx, next) => {
    ctx.state.venueId = parse(IdSchema, (ctx as unknown as { params: { venueId: string } }).params.venueId);
    await next();
  };
  const manager = requireRole(deps.grantsOf, ['venue_manager'], (ctx) => (ctx.state as State).venueId);
  const staffOrManager = requireRole(deps.grantsOf, ['staff', 'venue_manager'], (ctx) => (ctx.state as State).venueId);
  const device = deviceAuth(deps.clock) as unknown as Middleware<State>;

  // ---- the venue manager ----
  router.post('/manage/venues/:venueId/devices', requireUser, venueParam, manager, async (ctx) => {
    const input = parse(NewDeviceSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = await service.registerDevice(currentUser(ctx).userId, ctx.state.venueId!, input);
  });
  router.get('/manage/venues/:venueId/devices', requireUser, venueParam, manager, async (ctx) => {
    ctx.body = await service.listDevices(ctx.state.venueId!);
  });
  router.delete('/manage/venues/:venueId/devices/:deviceId', requireUser, venueParam, manager, async (ctx) => {
    ctx.body = await service.revoke(currentUser(ctx).userId, ctx.state.venueId!, parse(IdSchema, ctx.params.deviceId));
  });
  router.put('/manage/venues/:venueId/occupancy', requireUser, venueParam, manager, async (ctx) => {
    const { capacity } = parse(OccupancyCapacitySchema, ctx.request.body);
    ctx.body = await service.setCapacity(currentUser(ctx).userId, ctx.state.venueId!, capacity);
  });
  // staff see the live count at the gate
  router.get('/manage/venues/:venueId/occupancy', requireUser, venueParam, staffOrManager, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await service.occupancy(ctx.state.venueId!);
  });

  // ---- anyone: 实时人数 ----
  router.get('/venues/:venueId/occupancy', venueParam, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await service.occupancy(ctx.state.venueId!);
  });

  // ---- the device ----
  router.post('/devices/pair', async (ctx) => {
    ctx.body = await service.pair(parse(PairRequestSchema, ctx.request.body));
  });
  router.post('/devices/verify', device, async (ctx) => {
    const input = parse(DeviceVerifyRequestSchema, ctx.request.body);
    const d = await claimNonce(ctx, deps.clock);
    await service.seen(d);
    ctx.body = await service.verify(d, input);
  });
  router.get('/devices/offline-pack', device, async (ctx) => {
    const d = await claimNonce(ctx, deps.clock);
    await service.seen(d);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await service.offlinePack(d);
  });
  router.post('/devices/heartbeat', device, async (ctx) => {
    const input = parse(HeartbeatSchema, ctx.request.body);
    ctx.body = await service.heartbeat(await claimNonce(ctx, deps.clock), input);
  });
  router.post('/devices/sync', device, async (ctx) => {
    const { scans } = parse(DeviceSyncSchema, ctx.request.body);
    ctx.body = await service.sync(await claimNonce(ctx, deps.clock), scans);
  });

  return router;
}

/** Walk-up sales: the manager's products, the entrance's list, and the purchase (JSAPI order, or Native for a kiosk). */
export function walkupRoutes(service: WalkupService, deps: { grantsOf: GrantLookup }) {
  const router = new Router<State>();
  const venueParam: Middleware<State> = async (ctx, next) => {
    ctx.state.venueId = parse(IdSchema, (ctx as unknown as { params: { venueId: string } }).params.venueId);
    await next();
  };
  const manager = requireRole(deps.grantsOf, ['venue_manager'], (ctx) => (ctx.state as State).venueId);

  router.post('/manage/venues/:venueId/walk-up-products', requireUser, venueParam, manager, async (ctx) => {
    const input = parse(NewWalkupProductSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = await service.createProduct(currentUser(ctx).userId, ctx.state.venueId!, input);
  });
  router.get('/venues/:venueId/walk-up', venueParam, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await service.listProducts(ctx.state.venueId!);
  });
  router.post('/venues/:venueId/walk-up', requireUser, venueParam, async (ctx) => {
    const { native } = parse(WalkupQuerySchema, ctx.query);
    const { productId } = parse(WalkupRequestSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = await service.purchase(currentUser(ctx).userId, ctx.state.venueId!, productId, native === '1');
  });
  return router;
}

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { CloudApp } from '@citysport/cloud';

/**
 * Demo gates and walk-up sales (issue 16) at the first demo venue (苏州奥林匹克体育中心, managed by
 * demo-admin): a door capacity, walk-up products for the kiosk, two paired gates (in and out) that
 * have been heard from, one gate waiting for its pairing code (for `npm run gate -- --pair <code>`),
 * and people inside: demo visitors bought 游泳 2 小时 with a demo 体验券 (the unified flow; a voucher
 * covering the price pays the order without WeChat) and went through the paired in-gate, a few out
 * again. Everything through the services, dated from the seed clock.
 */
export const GATE_DEMO = { capacity: 300, visitors: 12, leftAgain: 3 } as const;

const rawPublicKey = () =>
  generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');

export async function seedGates(
  services: CloudApp['services'],
  userIds: Record<string, string>,
  venueId: string,
  log: (m: string) => void = () => {},
) {
  const { gates, identity, vouchers, payment, tickets } = services;
  const { gate, walkup } = gates;
  const adminId = userIds['demo-admin'];
  const now = services.clock.now();

  await gate.setCapacity(adminId, venueId, GATE_DEMO.capacity);
  const swim = (
    await walkup.createProduct(adminId, venueId, {
      name: '游泳 2 小时',
      sport: 'swimming',
      durationMinutes: 120,
      priceFen: 3000,
      dailyCapacity: 200,
    })
  ).product;
  await walkup.createProduct(adminId, venueId, {
    name: '健身 单次 3 小时',
    sport: 'fitness',
    durationMinutes: 180,
    priceFen: 2500,
    dailyCapacity: 100,
  });

  // two paired gates (their keys are thrown away: they stand for turnstiles already installed)
  const paired: Record<'in' | 'out', string> = { in: '', out: '' };
  for (const [name, direction] of [
    ['南门闸机 1', 'in'],
    ['南门出口', 'out'],
  ] as const) {
    const { pairingCode } = await gate.registerDevice(adminId, venueId, { name, gate: '南门', direction });
    paired[direction] = (await gate.pair({ pairingCode, publicKey: rawPublicKey() })).deviceId;
  }
  // one waiting for its pairing code: the reference client pairs with it (valid 30 minutes; a new one from 闸机管理)
  const waiting = await gate.registerDevice(adminId, venueId, { name: '北门闸机（待配对）', gate: '北门', direction: 'in' });

  // people inside: walk-up tickets paid with a demo voucher, admitted by the in-gate, a few out again
  const batch = await vouchers.createBatch(adminId, {
    name: '游泳体验券',
    kind: 'amount',
    faceFen: swim.priceFen,
    percentOff: 0,
    maxDiscountFen: 0,
    minSpendFen: 0,
    sports: ['swimming'],
    venueIds: [venueId],
    validFrom: now.toISOString(),
    validTo: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
    perPersonLimit: 1,
    total: 100,
  });
  const inGate = (await gate.deviceById(paired.in))!;
  const outGate = (await gate.deviceById(paired.out))!;
  const nonce = () => randomBytes(9).toString('base64url');
  // (without the payment module, as in some test stacks, nobody is inside)
  for (let i = 0; payment && i < GATE_DEMO.visitors; i++) {
    const { user } = await identity.upsertByOpenid(`demo-gate-visitor-${i + 1}`, undefined, 'seeded-session-key');
    const userId = String(user._id);
    await identity.setPersonalFields(userId, { nickname: `游泳爱好者${i + 1}` });
    const voucher = await vouchers.claim(userId, batch.id);
    const bought = await walkup.purchase(userId, venueId, swim.id, false);
    await payment.pay(userId, bought.orderId, [voucher.id]);
    const ticket = (await tickets.mine(userId)).find((t) => t.source?.kind === 'walkup' && t.status === 'valid');
    if (!ticket) continue;
    const { code } = await tickets.code(userId, ticket.id);
    await gate.verify(inGate, { code, nonce: nonce() });
    if (i < GATE_DEMO.leftAgain) await gate.verify(outGate, { code, nonce: nonce() });
  }
  for (const id of [paired.in, paired.out]) await gate.heartbeat((await gate.deviceById(id))!, { pendingUploads: 0, offlineSince: null });

  const occupancy = await gate.occupancy(venueId);
  log(
    `seeded gates at venue ${venueId} (kiosk: #/packages/gate/kiosk?venueId=${venueId}): 2 paired, 1 waiting (pairing code ${waiting.pairingCode}, valid until ${waiting.pairingExpiresAt}), ` +
      `2 walk-up products, 实时人数 ${occupancy.inside}/${occupancy.capacity}`,
  );
  return { pairingCode: waiting.pairingCode, pairedDeviceIds: paired, productId: swim.id, occupancy };
}

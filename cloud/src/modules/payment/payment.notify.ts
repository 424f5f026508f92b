import { AppError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { WechatPaySignatureError, type SignedMessage, type WechatRefund, type WechatTransaction } from '../../platform/wechatpay';
import { Order, SeenNotification, type OrderDoc } from './payment.model';
import type { PaymentContext } from './payment.context';

/** WeChat Pay's notifications: verified over the raw body, replays refused, then applied like any other path. */
export function createNotify(
  ctx: PaymentContext,
  applyRefundState: (no: string, s: WechatRefund['status'], id: string | null, t?: string) => Promise<void>,
) {
  const { deps } = ctx;
  const { clock, wechatPay } = deps;

  async function openVerified<T>(msg: SignedMessage, log: Logger) {
    try {
      const opened = await wechatPay.openNotification<T>(msg);
      try {
        await SeenNotification.create({ _id: `nonce:${msg.nonce}:${msg.timestamp}`, at: clock.now() });
      } catch (err) {
        if ((err as { code?: number }).code === 11000) throw new WechatPaySignatureError('replayed nonce');
        throw err;
      }
      return opened;
    } catch (err) {
      if (err instanceof WechatPaySignatureError) {
        log.warn({ reason: err.message, serial: msg.serial }, 'WeChat Pay notification rejected');
        throw new AppError('UNAUTHENTICATED', `notification rejected: ${err.message}`);
      }
      throw err;
    }
  }

  async function handlePaymentNotification(msg: SignedMessage, log: Logger) {
    const { resource: tx } = await openVerified<WechatTransaction>(msg, log);
    const creds = wechatPay.credentials;
    if (tx.mchid !== creds.mchid || tx.appid !== creds.appid) {
      log.warn({ mchid: tx.mchid, appid: tx.appid }, 'WeChat Pay notification rejected: another merchant or app');
      throw new AppError('FORBIDDEN', 'notification for another merchant');
    }
    const o = await Order.findOne({ outTradeNo: tx.out_trade_no }).lean<OrderDoc>();
    if (!o) {
      log.warn({ outTradeNo: tx.out_trade_no }, 'WeChat Pay notification rejected: unknown order');
      throw new AppError('NOT_FOUND', 'unknown order');
    }
    if (tx.trade_state !== 'SUCCESS') return; // other states carry no money: acknowledge, change nothing
    if ((await ctx.applyPaid(o, tx, 'notification')) === 'mismatch')
      throw new AppError('PAYMENT_AMOUNT_MISMATCH', 'the paid amount does not match the order; flagged for an admin');
  }

  async function handleRefundNotification(msg: SignedMessage, log: Logger) {
    const { resource } = await openVerified<WechatRefund & { refund_status?: string; mchid?: string }>(msg, log);
    if (resource.mchid && resource.mchid !== wechatPay.credentials.mchid)
      throw new AppError('FORBIDDEN', 'notification for another merchant');
    const status = (resource.refund_status ?? resource.status) as WechatRefund['status'];
    await applyRefundState(resource.out_refund_no, status, resource.refund_id, resource.success_time);
  }

  return { handlePaymentNotification, handleRefundNotification };
}

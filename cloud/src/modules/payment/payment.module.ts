import type { ModuleDescriptor } from '../../platform/module';
import { createHmac } from 'node:crypto';
import { createFieldCipher } from '../../platform/crypto-field';
import { createWechatPay, type WechatPayCredentials } from '../../platform/wechatpay';
import type { IdentityService } from '../identity';
import type { NotificationService } from '../notification';
import type { VenueService } from '../venue';
import { paymentsUnavailable, type PaymentPort } from './payment.port';
import { createPaymentService, type PaymentService } from './payment.service';
import { createVoucherService, type VoucherService } from './voucher.service';
import { createReconciliation, type Reconciliation } from './reconciliation';
import { paymentRoutes } from './payment.routes';
import { paymentJobs } from './payment.jobs';

/** What the payment module is to the others: its port (`.port`), and its parts for its routes and jobs. */
export interface PaymentParts {
  port: PaymentPort;
  service: PaymentService | null;
  vouchers: VoucherService;
  reconciliation: Reconciliation | null;
}

/**
 * The unified payment flow. Without merchant credentials paid things are refused (free ones still
 * work); `portOverride` replaces the port (fault-injection tests).
 */
export function paymentModule(p: { credentials: WechatPayCredentials | null; portOverride?: PaymentPort }): ModuleDescriptor<PaymentParts> {
  return {
    name: 'payment',
    create: ({ kernel, config, pseudonym, use }) => {
      const { clock, logger } = kernel;
      const identity = use<IdentityService>('identity');
      const vouchers = createVoucherService({ clock, pseudonym, kernel, venueNames: (ids) => use<VenueService>('venue').venueNames(ids) });
      const wechatPay = (c: WechatPayCredentials) =>
        createWechatPay({
          apiBase: config.WECHATPAY_API_BASE,
          timeoutMs: config.WECHATPAY_TIMEOUT_MS,
          credentials: c,
          now: () => clock.now(),
        });
      const credentials = p.portOverride ? null : p.credentials;
      const service = credentials
        ? createPaymentService({
            clock,
            logger,
            kernel,
            pseudonym,
            wechatPay: wechatPay(credentials),
            openidOf: identity.openidOf,
            notifyBase: config.PUBLIC_API_BASE,
            notify: (...a) => use<NotificationService>('notification').notify(...a),
            vouchers,
            venueNames: (ids) => use<VenueService>('venue').venueNames(ids),
            cipher: createFieldCipher(config.DATA_KEY),
            invoiceLinkSecret: createHmac('sha256', config.DATA_KEY).update('citysport-invoice-pdf-link').digest('hex'),
          })
        : null;
      if (!p.portOverride && !service)
        logger.warn('WeChat Pay is not configured: paid bookings and refunds are refused (set the WECHATPAY_* variables)');
      const reconciliation =
        service && credentials
          ? createReconciliation({ clock, wechatPay: wechatPay(credentials), applyPaidByQuery: service.applyPaidByQuery })
          : null;
      return { port: p.portOverride ?? service?.port ?? paymentsUnavailable(), service, vouchers, reconciliation };
    },
    // reads of others' personal data and exports, audited naming the reader (platform/audit personalDataAudit)
    personalData: {
      'GET /admin/payments/flagged': { what: "flagged payments (the citizens' orders)" },
    },
    routes: ({ service, vouchers, reconciliation }, deps) =>
      service && reconciliation
        ? [
            paymentRoutes(service, vouchers, reconciliation, {
              grantsOf: (id) => deps.use<IdentityService>('identity').grantsOf(id),
              claimOnce: deps.kernel.claimOnce,
            }),
          ]
        : [],
    jobs: ({ service, reconciliation }, { kernel }) =>
      service && reconciliation ? paymentJobs({ clock: kernel.clock, payment: service, reconciliation }) : [],
  };
}

export { startMockWechat, createMockWechatApp, type RunningMock, type MockWechatOptions } from './wechat/server';
export { MOCK_CODE_PREFIX } from './wechat/code2session';
export { seedDemoData, isDatabaseEmpty, DEMO_ACCOUNTS } from './seed/seed';
export { generateKeyMaterial, loadOrCreateKeyMaterial, type WechatPayKeyMaterial } from './wechatpay/keys';
export {
  createWechatPayStandIn,
  StandInError,
  WECHAT_NOTIFY_RETRY_SCHEDULE_MS,
  type WechatPayStandIn,
  type WechatPayStandInOptions,
  type ConfirmPaymentOptions,
  type WechatTransactionObject,
  type WechatRefundObject,
  type WechatRefundNotificationResource,
  type TransactionView,
  type RefundView,
  type NotificationView,
  type NotificationAttempt,
  type TradeState,
  type RefundStatus,
} from './wechatpay/standin';
export {
  buildSignedNotification,
  buildNotificationBody,
  notificationHeaders,
  type NotificationTamper,
  type NotificationEventType,
  type NotificationOriginalType,
  type NotificationEnvelope,
} from './wechatpay/notification';
export { signedHeaders, verificationKeyPem, aesGcmEncrypt, type WechatPaySignMode } from './wechatpay/protocol';
export { SUMMARY_HEADER as TRADE_BILL_SUMMARY_HEADER } from './wechatpay/bill';

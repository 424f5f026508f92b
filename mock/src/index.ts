export { startMockWechat, createMockWechatApp, type RunningMock, type MockWechatOptions } from './wechat/server';
export { MOCK_CODE_PREFIX } from './wechat/code2session';
export { seedDemoData, isDatabaseEmpty, DEMO_ACCOUNTS } from './seed/seed';

export default definePageConfig({ navigationBarTitleText: '签到与日志' });

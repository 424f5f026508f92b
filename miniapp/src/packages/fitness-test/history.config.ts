export default definePageConfig({ navigationBarTitleText: '我的体质报告' });

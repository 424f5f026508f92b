export default definePageConfig({ navigationBarTitleText: '体质测试报告' });

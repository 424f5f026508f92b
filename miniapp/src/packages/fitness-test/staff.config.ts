export default definePageConfig({ navigationBarTitleText: '体质测试录入' });

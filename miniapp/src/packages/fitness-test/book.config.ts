export default definePageConfig({ navigationBarTitleText: '预约体质测试' });

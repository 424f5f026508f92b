export default definePageConfig({ navigationBarTitleText: '信用' });

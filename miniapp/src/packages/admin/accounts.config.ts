export default definePageConfig({ navigationBarTitleText: '局端账号' });

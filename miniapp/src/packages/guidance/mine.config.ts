export default definePageConfig({ navigationBarTitleText: '我的健身指导' });

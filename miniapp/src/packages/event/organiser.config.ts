export default definePageConfig({ navigationBarTitleText: '赛事管理' });

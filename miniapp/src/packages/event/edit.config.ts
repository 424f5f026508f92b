export default definePageConfig({ navigationBarTitleText: '编辑赛事' });

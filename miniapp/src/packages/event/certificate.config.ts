export default definePageConfig({ navigationBarTitleText: '成绩证书' });

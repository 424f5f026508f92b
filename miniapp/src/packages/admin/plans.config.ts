export default definePageConfig({ navigationBarTitleText: '数据汇聚计划' });

export default definePageConfig({ navigationBarTitleText: '指导员选配', enablePullDownRefresh: true });

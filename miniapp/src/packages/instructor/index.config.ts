export default definePageConfig({ navigationBarTitleText: '指导员工作台', enablePullDownRefresh: true });

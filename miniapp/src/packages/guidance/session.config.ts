export default definePageConfig({ navigationBarTitleText: '指导活动详情', enablePullDownRefresh: true });

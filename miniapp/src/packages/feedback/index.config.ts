export default definePageConfig({ navigationBarTitleText: '意见反馈', enablePullDownRefresh: true });

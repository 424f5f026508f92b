export default definePageConfig({ navigationBarTitleText: '闸机管理', enablePullDownRefresh: true });

export default definePageConfig({
  navigationBarTitleText: '我的票券',
  enablePullDownRefresh: true,
});

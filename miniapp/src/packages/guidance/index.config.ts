export default definePageConfig({
  navigationBarTitleText: '健身指导',
  enablePullDownRefresh: true,
});

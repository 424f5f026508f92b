export default definePageConfig({
  navigationBarTitleText: '赛事详情',
});

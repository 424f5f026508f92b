export default definePageConfig({
  navigationBarTitleText: '场馆与赛事管理',
});

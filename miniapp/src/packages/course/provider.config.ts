export default definePageConfig({
  navigationBarTitleText: '培训机构管理',
});

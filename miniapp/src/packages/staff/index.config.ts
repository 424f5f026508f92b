export default definePageConfig({
  navigationBarTitleText: '核验工作台',
});

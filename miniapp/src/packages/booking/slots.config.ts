export default definePageConfig({
  navigationBarTitleText: '选择场地',
});

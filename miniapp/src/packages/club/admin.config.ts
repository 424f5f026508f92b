export default definePageConfig({
  navigationBarTitleText: '社团管理',
});

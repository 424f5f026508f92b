export default definePageConfig({
  navigationBarTitleText: '社团主页',
});

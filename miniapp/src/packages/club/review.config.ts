export default definePageConfig({
  navigationBarTitleText: '社团审核',
});

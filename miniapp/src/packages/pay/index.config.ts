export default definePageConfig({
  navigationBarTitleText: '订单与支付',
});

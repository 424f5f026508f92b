export default definePageConfig({ navigationBarTitleText: '指导申请' });

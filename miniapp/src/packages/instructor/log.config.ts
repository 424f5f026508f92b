export default definePageConfig({ navigationBarTitleText: '指导日志' });

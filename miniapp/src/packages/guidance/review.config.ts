export default definePageConfig({ navigationBarTitleText: '指导员资格审核' });

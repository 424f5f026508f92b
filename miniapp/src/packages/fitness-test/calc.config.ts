export default definePageConfig({ navigationBarTitleText: '体质自测' });

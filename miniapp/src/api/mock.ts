import Taro from '@tarojs/taro';
import { z } from 'zod';
import { MOCK_BASE } from './config';
import { ApiError, NETWORK_ERROR } from './errors';

const MockConfirmSchema = z.object({ transaction_id: z.string() });

/**
 * The WeChat Pay stand-in's "the user paid" (h5 with TARO_APP_WECHAT_MOCK only).
 * `pkg` is payParams.package: 'prepay_id=<id>'.
 */
export async function mockConfirmPayment(pkg: string): Promise<void> {
  const prepayId = pkg.replace(/^prepay_id=/, '');
  let res: Taro.request.SuccessCallbackResult;
  try {
    res = await Taro.request({
      url: `${MOCK_BASE}/mock/pay/${encodeURIComponent(prepayId)}/confirm`,
      method: 'POST',
      data: {},
      header: { 'Content-Type': 'application/json', Accept: 'application/json' },
      dataType: 'json',
    });
  } catch (e) {
    throw new ApiError(NETWORK_ERROR, 0, (e as { errMsg?: string })?.errMsg ?? String(e));
  }
  if (res.statusCode < 200 || res.statusCode >= 300 || !MockConfirmSchema.safeParse(res.data).success) {
    const body = res.data as { code?: unknown; message?: unknown } | null;
    throw new ApiError(
      typeof body?.code === 'string' ? body.code : `HTTP_${res.statusCode}`,
      res.statusCode,
      String(body?.message ?? 'mock confirm failed'),
    );
  }
}

/**
 * The WeChat stand-ins (login, msgSecCheck, WeChat Pay in public-key mode) in a process of their
 * own, for benches that measure the API process alone (bench/soak.ts): the stand-ins keep every
 * transaction, refund and notification as WeChat would, and that memory is not the API's.
 * Prints one JSON line `{"url": …}`, then serves until stdin closes.
 */
import { startMockWechat } from '../../mock/src/wechat/server';
import { benchPayKeys } from './pay-keys';

async function main() {
  const keys = benchPayKeys();
  const mock = await startMockWechat({ appid: 'wx-bench', secret: 'bench-secret', port: 0, wechatPay: { keys, signMode: 'public_key' } });
  process.stdout.write(JSON.stringify({ url: mock.url }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await mock.stop();
    process.exit(0);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

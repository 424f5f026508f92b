import { useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Image, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { eventsApi } from '../../api/events';
import { IS_H5 } from '../../api/config';
import { notify } from '../../stores/elder';
import './certificate.scss';

/**
 * 成绩证书: the runner's own certificate (the server draws it, with the real name, times, ranks
 * and a verification code anyone can check). Saved as an image: h5 downloads the file; the
 * mini-program writes it to a local file and opens the preview (long-press to save).
 */
export default function CertificatePage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const { load, reload } = useLoad(() => eventsApi.certificate(id), [id], { login: `/packages/event/certificate?id=${id}` });
  const [saving, setSaving] = useState(false);

  const save = async () => {
    if (load.state !== 'ready') return;
    const { image, certificate } = load.data;
    setSaving(true);
    try {
      if (IS_H5) {
        const a = document.createElement('a');
        a.href = image;
        a.download = `成绩证书-${certificate.code}.svg`;
        a.click();
      } else {
        const filePath = `${Taro.env.USER_DATA_PATH}/certificate-${certificate.code}.svg`;
        Taro.getFileSystemManager().writeFileSync(filePath, image.split(',')[1], 'base64');
        await Taro.previewImage({ urls: [filePath], current: filePath });
      }
      notify('证书已保存', 2000);
    } catch {
      notify('保存失败，请长按图片保存', 2500);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Screen className="cert-page">
      <LoadView load={load} name="cert" errorText="证书加载失败" emptyText="暂无成绩" onRetry={() => void reload()} />
      {load.state === 'ready' ? (
        <>
          <View className="cs-card cert-card">
            <Image className="cert-card__image" src={load.data.image} mode="widthFix" showMenuByLongpress />
          </View>
          <View className="cs-card cert-facts">
            <Text className="cert-facts__line">
              {load.data.certificate.groupName} · 号码布 {load.data.certificate.bib}
            </Text>
            <Text className="cert-facts__time">净成绩 {load.data.certificate.chipTime}</Text>
            <Text className="cert-facts__line">
              总排名第 {load.data.certificate.rankOverall} · 组别第 {load.data.certificate.rankGroup} ·{' '}
              {load.data.certificate.gender === 'M' ? '男子' : '女子'}第 {load.data.certificate.rankGender}
            </Text>
            <Text className="cert-facts__code">验证码 {load.data.certificate.code}</Text>
          </View>
          <Button type="primary" block loading={saving} className="cert-save" onClick={() => void save()}>
            保存证书
          </Button>
        </>
      ) : null}
    </Screen>
  );
}

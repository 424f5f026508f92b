import { useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Image, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { notify, useElderMode } from '../../stores/elder';
import { IS_H5 } from '../../api/config';
import { errorMessageZh } from '../../api/errors';
import { param } from '../../utils/params';
import { fitnessApi } from '../../api/fitness';
import ScoreTable from './ScoreTable';
import './fitness.scss';

/** one report: total, grade, radar, items with meanings, advice linking to guidance and booking */
export default function FitnessReportPage() {
  const { params } = useRouter();
  const id = param(params.id);
  const elder = useElderMode();
  const { load, data, reload } = useLoad(() => fitnessApi.report(id, { toast: false }).then((r) => r.report), [id], {
    login: `/packages/fitness-test/report?id=${id}`,
  });
  const [share, setShare] = useState<string | null>(null);
  const [sharing, setSharing] = useState(false);

  /** the server draws the card (grade, scores, age group — no name, ID or birth date); saved like the 成绩证书 */
  async function makeShare() {
    setSharing(true);
    try {
      setShare((await fitnessApi.shareImage(id, { toast: false })).image);
    } catch (e) {
      notify(`分享图生成失败：${errorMessageZh(e)}`, 2500);
    } finally {
      setSharing(false);
    }
  }
  async function saveShare() {
    if (!share || !data) return;
    try {
      if (IS_H5) {
        const a = document.createElement('a');
        a.href = share;
        a.download = `体质测试-${data.testDate.slice(0, 4)}.svg`;
        a.click();
      } else {
        const filePath = `${Taro.env.USER_DATA_PATH}/fitness-${id}.svg`;
        Taro.getFileSystemManager().writeFileSync(filePath, share.split(',')[1], 'base64');
        await Taro.previewImage({ urls: [filePath], current: filePath });
      }
      notify('分享图已保存', 2000);
    } catch {
      notify('保存失败，请长按图片保存', 2500);
    }
  }
  return (
    <Screen className="page-fitness-report fit-page">
      <LoadView load={load} name="fit-report" errorText="报告加载失败" onRetry={() => void reload()} />
      {data ? (
        <View>
          <View className="fit-report-head cs-card">
            <Text className="fit-title">体质测试报告</Text>
            <Text className="fit-text">
              {data.participantName} · {data.sex === 'M' ? '男' : '女'} · {data.age} 岁（{data.ageGroup} 岁组）
            </Text>
            <Text className="fit-text">
              {data.testDate} · {data.stationName}
            </Text>
            <Text className="fit-standard">
              评定标准：{data.standardTitle}（{data.standard}）
            </Text>
            {data.revision > 1 ? <Text className="fit-note">已由测试员更正（第 {data.revision} 版）</Text> : null}
          </View>
          <ScoreTable
            items={data.items}
            total={data.total}
            maxTotal={data.maxTotal}
            grade={data.grade}
            gradeWithheld={data.gradeWithheld}
            elder={elder}
          />
          <View className="fit-advice cs-card">
            <Text className="fit-section">运动建议</Text>
            {data.advice.length === 0 ? <Text className="fit-text">各项均在 3 分及以上，保持每周 150 分钟中等强度运动。</Text> : null}
            {data.advice.map((a) => (
              <View key={a.item} className="fit-advice__item" data-item={a.item}>
                <Text className="fit-text">{a.textZh}</Text>
                <View className="fit-advice__links">
                  {a.links.map((l) => (
                    <Text key={l.path} className="fit-link" onClick={() => void Taro.navigateTo({ url: l.path })}>
                      {l.label} ›
                    </Text>
                  ))}
                </View>
              </View>
            ))}
          </View>
          <View className="fit-share cs-card">
            <Text className="fit-section">分享我的体质</Text>
            <Text className="fit-note">分享图只含等级、得分和年龄组，不含姓名、身份证号和出生日期。</Text>
            {share ? (
              <>
                <Image className="fit-share__img" src={share} mode="widthFix" showMenuByLongpress />
                <Button type="primary" block className="fit-share__save" onClick={() => void saveShare()}>
                  保存图片
                </Button>
              </>
            ) : (
              <Button block className="fit-share__make" loading={sharing} disabled={sharing} onClick={() => void makeShare()}>
                生成分享图
              </Button>
            )}
          </View>
          <Text className="fit-link fit-to-history" onClick={() => void Taro.navigateTo({ url: '/packages/fitness-test/history' })}>
            查看历年对比 ›
          </Text>
        </View>
      ) : null}
    </Screen>
  );
}

import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { CourseCertificateDto } from '@citysport/shared';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { notify } from '../../stores/elder';
import { courseApi } from './api';
import { COURSE_PAGE, MINE_PAGE, lessonWhen, statusZh, when, yuan } from './lib';
import './course.scss';

/** 我的培训: each enrolment with its lesson tickets (QR on the ticket page), attendance per lesson, the certificate. */
export default function MyCoursesPage() {
  const { load, data, reload } = useLoad(() => courseApi.mine(), [], {
    login: MINE_PAGE,
    refreshOnShow: true,
    isEmpty: (d) => d.items.length === 0,
  });
  const [cert, setCert] = useState<CourseCertificateDto | null>(null);
  const showCert = async (id: string) => setCert((await courseApi.certificate(id)).certificate);
  const cancel = async (id: string) => {
    const ok = await Taro.showModal({ title: '取消报名', content: '将按课程退款规则退款，确定取消吗？' });
    if (!ok.confirm) return;
    const { enrolment } = await courseApi.cancel(id);
    notify(enrolment.refundFen > 0 ? `已取消，将退款 ${yuan(enrolment.refundFen)}` : '已取消');
    await reload();
  };
  return (
    <Screen className="course-mine">
      <LoadView
        load={load}
        name="course-mine"
        errorText="加载失败"
        emptyText="还没有报名培训课程"
        emptyHint="去看看适合你和孩子的课程"
        onRetry={() => void reload()}
      />
      {cert ? (
        <View className="course-cert course-mine__certificate" onClick={() => setCert(null)}>
          <Text className="course-cert__title">结业证书</Text>
          <Text className="course-cert__line">
            {cert.participantName} 完成「{cert.courseTitle}」
          </Text>
          <Text className="course-cert__line">
            出勤 {cert.lessonsAttended} / {cert.lessonsTotal} 节 · {cert.providerName}
          </Text>
          <Text className="course-cert__line">证书编号 {cert.certificateNo}</Text>
          <Text className="course-cert__sig">签名 {cert.signature}</Text>
        </View>
      ) : null}
      {data?.items.map((e) => (
        <View key={e.id} className="course-card course-mine__item">
          <View className="course-card__head">
            <Text className="course-card__name">{e.courseTitle}</Text>
            <Text className={`course-tag${['cancelled', 'lapsed', 'expired'].includes(e.status) ? ' course-tag--muted' : ''}`}>
              {statusZh(e.status)}
              {e.waitlistPosition ? ` 第${e.waitlistPosition}位` : ''}
            </Text>
          </View>
          <Text className="course-card__meta">
            学员 {e.participant.name}
            {e.minor ? '（未成年）' : ''} · {e.participant.idNumber}
          </Text>
          {e.status === 'enrolled' ? (
            <Text className="course-card__meta course-mine__attendance">
              已出勤 {e.attendedCount} / {e.lessons.length} 节 · 满 {e.certificateMinLessons} 节可获证书
            </Text>
          ) : null}
          {e.refundFen > 0 ? <Text className="course-card__meta">已退款 {yuan(e.refundFen)}</Text> : null}
          {e.status === 'enrolled'
            ? e.lessons.map((l) => (
                <View
                  key={l.index}
                  className="course-lesson course-mine__lesson"
                  onClick={() =>
                    l.ticketId && l.ticketStatus === 'valid'
                      ? void Taro.navigateTo({ url: `/packages/ticket/detail?id=${l.ticketId}` })
                      : undefined
                  }
                >
                  <Text className="course-lesson__when">
                    第{l.index}节 · {lessonWhen(l.startAt, l.endAt)}
                  </Text>
                  <Text className={`course-tag${l.attended || l.ticketStatus === 'valid' ? '' : ' course-tag--muted'}`}>
                    {l.attended ? '已签到' : l.ticketStatus === 'valid' ? '出示二维码 ›' : Date.parse(l.endAt) < Date.now() ? '缺勤' : '—'}
                  </Text>
                </View>
              ))
            : null}
          <View className="course-actions" style={{ marginTop: '16px' }}>
            {e.status === 'held' || e.status === 'offered' ? (
              <View
                className="course-button course-button--small"
                onClick={() => void Taro.navigateTo({ url: `/packages/pay/index?orderId=${encodeURIComponent(e.orderId ?? '')}` })}
              >
                去支付{e.payDeadline ? `（${when(e.payDeadline)}前）` : ''}
              </View>
            ) : null}
            {e.certificateEarned ? (
              <View className="course-button course-button--small course-mine__cert" onClick={() => void showCert(e.id)}>
                查看结业证书
              </View>
            ) : null}
            {['held', 'waitlisted', 'offered', 'enrolled'].includes(e.status) ? (
              <View className="course-button course-button--ghost course-button--small" onClick={() => void cancel(e.id)}>
                取消报名
              </View>
            ) : null}
          </View>
        </View>
      ))}
      <View className="course-button course-button--ghost" onClick={() => void Taro.navigateTo({ url: COURSE_PAGE })}>
        浏览培训课程
      </View>
    </Screen>
  );
}

import { useState } from 'react';
import { useRouter } from '@tarojs/taro';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import Screen from '../../components/Screen';
import LoadView from '../../components/LoadView';
import { useLoad } from '../../hooks/useLoad';
import { param } from '../../utils/params';
import { notify } from '../../stores/elder';
import { courseApi } from './api';
import { lessonWhen } from './lib';
import './course.scss';

/** 课时考勤: attendance per lesson and per participant; the teacher scans (weapp) or types a lesson ticket's code (h5). */
export default function CourseAttendancePage() {
  const { params } = useRouter();
  const id = param(params.id);
  const { load, data, reload } = useLoad(() => courseApi.attendance(id), [id], { login: `/packages/course/attendance?id=${id}` });
  const [code, setCode] = useState('');
  const checkin = async (value: string) => {
    if (!value.trim()) return;
    try {
      await courseApi.checkin(id, value.trim());
      notify('签到成功');
      setCode('');
      await reload();
    } catch {
      /* toast shown */
    }
  };
  const scan = async () => {
    if (process.env.TARO_ENV !== 'weapp') return;
    const res = await Taro.scanCode({ onlyFromCamera: true });
    await checkin(res.result);
  };
  return (
    <Screen className="course-attendance">
      <LoadView load={load} name="attendance" errorText="加载失败" emptyText="课程不存在" onRetry={() => void reload()} />
      {data ? (
        <>
          <View className="course-card">
            <Text className="course-card__name">{data.course.title}</Text>
            <Text className="course-card__meta">
              在读 {data.participants.filter((p) => p.status === 'enrolled').length} 人 · 候补 {data.waitlisted} 人
            </Text>
          </View>
          <View className="course-form">
            <Text className="course-form__label">签到（扫学员课时二维码，或输入数字码）</Text>
            <Input className="course-form__input course-attendance__code" value={code} onInput={(e) => setCode(e.detail.value)} />
            <View className="course-actions" style={{ marginTop: '16px' }}>
              {process.env.TARO_ENV === 'weapp' ? (
                <View className="course-button" onClick={() => void scan()}>
                  扫码签到
                </View>
              ) : null}
              <View className="course-button course-button--ghost" onClick={() => void checkin(code)}>
                确认签到
              </View>
            </View>
          </View>
          <View className="course-section">
            <Text className="course-section__title">每节课出勤</Text>
            {data.lessons.map((l) => (
              <View key={l.index} className="course-lesson course-attendance__lesson">
                <Text className="course-lesson__when">
                  第{l.index}节 · {lessonWhen(l.startAt, l.endAt)}
                </Text>
                <Text className="course-tag">
                  {l.attended}/{l.enrolled}
                </Text>
              </View>
            ))}
          </View>
          <View className="course-section">
            <Text className="course-section__title">学员</Text>
            {data.participants.map((p) => (
              <View key={p.enrolmentId} className="course-row">
                <View className="course-row__main">
                  <Text className="course-row__title">{p.name}</Text>
                  <Text className="course-row__sub">
                    已到课：{p.attended.length ? p.attended.map((n) => `第${n}节`).join('、') : '暂无'}
                  </Text>
                </View>
                <Text className="course-tag">{p.certificateEarned ? '可结业' : `${p.attended.length}节`}</Text>
              </View>
            ))}
          </View>
        </>
      ) : null}
    </Screen>
  );
}

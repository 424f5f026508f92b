import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import { formatShanghai, type Ban, type VenueDetail } from '@citysport/shared';
import { api } from '../../api/endpoints';
import Sheet from '../../components/Sheet';
import LoadView from '../../components/LoadView';
import { isForbidden, useLoad } from '../../hooks/useLoad';
import { Forbidden, reasonError } from './shared';
import { notify } from '../../stores/elder';

/** bans carry only a user id: show its tail, enough to tell people apart at the desk */
function userTag(userId: string): string {
  return `用户 …${userId.slice(-6)}`;
}

function isActive(b: Ban, now: number): boolean {
  return !b.liftedAt && Date.parse(b.until) > now;
}

export default function BansPanel({ venue }: { venue: VenueDetail }) {
  const [lifting, setLifting] = useState<Ban | null>(null);
  const [reason, setReason] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const { load, data, reload, update } = useLoad(async () => {
    const { items } = await api.manage.bans(venue.id, { toast: false });
    const now = Date.now();
    return [...items].sort((a, b) => Number(isActive(b, now)) - Number(isActive(a, now)) || b.since.localeCompare(a.since));
  }, [venue.id]);

  const submit = async () => {
    if (!lifting || busy) return;
    const err = reasonError(reason);
    if (err) {
      setFormError(err);
      return;
    }
    setBusy(true);
    try {
      const { ban } = await api.manage.liftBan(lifting.id, reason.trim());
      update((items) => items.map((b) => (b.id === ban.id ? ban : b)));
      setLifting(null);
      notify('已解除限制');
    } catch {
      /* toast shown by the client */
    } finally {
      setBusy(false);
    }
  };

  if (!data || load.state === 'empty') {
    if (isForbidden(load)) return <Forbidden />;
    return (
      <LoadView
        load={load}
        name="bans"
        count={2}
        errorText="名单加载失败"
        emptyText="暂无因爽约被限制预订的用户"
        emptyHint={`规则：${venue.rules.noShowWindowDays}天内爽约${venue.rules.noShowLimit}次暂停预订${venue.rules.banDays}天`}
        onRetry={() => void reload()}
      />
    );
  }

  const now = Date.now();
  return (
    <View className="bans">
      <Text className="manage-tip">
        {venue.rules.noShowWindowDays}天内爽约{venue.rules.noShowLimit}次将暂停预订{venue.rules.banDays}天
      </Text>
      {data.map((b) => {
        const active = isActive(b, now);
        return (
          <View key={b.id} className={`ban-item cs-card${active ? ' ban-item--active' : ' ban-item--ended'}`} data-id={b.id}>
            <View className="ban-item__head">
              <Text className="ban-item__user">{userTag(b.userId)}</Text>
              <Text className={`ban-item__state${active ? ' ban-item__state--active' : ''}`}>
                {active ? '限制中' : b.liftedAt ? '已解除' : '已到期'}
              </Text>
            </View>
            <Text className="ban-item__line">爽约 {b.noShowCount} 次</Text>
            <Text className="ban-item__line">
              {formatShanghai(b.since, 'MM月DD日')} 至 {formatShanghai(b.until, 'MM月DD日')}
            </Text>
            {b.liftedAt ? (
              <Text className="ban-item__line ban-item__lifted">
                {formatShanghai(b.liftedAt, 'MM月DD日 HH:mm')} 解除{b.liftReason ? `：${b.liftReason}` : ''}
              </Text>
            ) : null}
            {active ? (
              <View className="ban-item__actions">
                <Button
                  className="ban-lift"
                  size="small"
                  type="primary"
                  fill="outline"
                  onClick={() => {
                    setReason('');
                    setFormError(null);
                    setLifting(b);
                  }}
                >
                  解除
                </Button>
              </View>
            ) : null}
          </View>
        );
      })}

      <Sheet
        open={!!lifting}
        title="解除预订限制"
        className="lift-sheet"
        onClose={() => setLifting(null)}
        footer={
          <Button className="lift-submit" type="primary" block loading={busy} onClick={() => void submit()}>
            确认解除
          </Button>
        }
      >
        {lifting ? <Text className="manage-tip">{userTag(lifting.userId)} 将可以重新预订本场馆</Text> : null}
        <View className="manage-field">
          <Text className="manage-field__label">解除原因（必填）</Text>
          <Input
            className="manage-input lift-reason"
            value={reason}
            maxlength={200}
            placeholder="如：核实为系统原因未签到"
            onInput={(e) => setReason(e.detail.value)}
          />
        </View>
        {formError ? <Text className="manage-form-error">{formError}</Text> : null}
      </Sheet>
    </View>
  );
}

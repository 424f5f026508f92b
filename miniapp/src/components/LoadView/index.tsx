import type { ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import type { Load } from '../../hooks/useLoad';
import type { MoreState, PagedListResult } from '../../hooks/usePagedList';
import { EmptyState, ErrorState, SkeletonList } from '../StateView';
import './index.scss';

interface LoadViewProps {
  load: Load<unknown>;
  /** class stem of the page: '<name>-loading', '<name>-error', '<name>-empty' (the e2e tests look for them) */
  name: string;
  errorText: string;
  /** leave out when the page shows something of its own for an empty result */
  emptyText?: string;
  emptyHint?: string;
  /** a button under the empty state (e.g. 去场馆看看) */
  emptyAction?: ReactNode;
  onRetry: () => void;
  /** skeleton cards while loading */
  count?: number;
  errorClassName?: string;
  emptyClassName?: string;
}

/** Loading / error-with-retry / empty for one `Load`; renders nothing once there is data to show. */
export default function LoadView({
  load,
  name,
  errorText,
  emptyText,
  emptyHint,
  emptyAction,
  onRetry,
  count = 3,
  errorClassName,
  emptyClassName,
}: LoadViewProps) {
  if (load.state === 'loading') return <SkeletonList className={`${name}-loading`} count={count} />;
  if (load.state === 'error')
    return <ErrorState className={errorClassName ?? `${name}-error`} text={errorText} hint={load.message} onRetry={onRetry} />;
  if (load.state === 'empty' && emptyText) {
    const empty = <EmptyState className={emptyClassName ?? `${name}-empty`} text={emptyText} hint={emptyHint} />;
    return emptyAction ? (
      <View className={`${name}-empty-wrap load-view__empty`}>
        {empty}
        {emptyAction}
      </View>
    ) : (
      empty
    );
  }
  return null;
}

interface LoadMoreProps {
  hasMore: boolean;
  more: MoreState;
  onMore: () => void;
  /** class of the footer block, e.g. 'mine-more' (its parts are '<block>__text', '<block>__button') */
  block: string;
  /** class stem of the list: '<name>-more-loading', '<name>-load-more', '<name>-no-more' */
  name: string;
}

/** The foot of a paged list: 加载更多 / 加载中… / 加载失败，点击重试 / 没有更多了. */
export function LoadMore({ hasMore, more, onMore, block, name }: LoadMoreProps) {
  if (!hasMore)
    return (
      <View className={`${block} load-more`}>
        <Text className={`${block}__text ${name}-no-more`}>没有更多了</Text>
      </View>
    );
  return (
    <View className={`${block} load-more`}>
      {more === 'loading' ? (
        <Text className={`${block}__text ${name}-more-loading`}>加载中…</Text>
      ) : (
        <View className={`${block}__button ${name}-load-more`} onClick={onMore}>
          {more === 'error' ? '加载失败，点击重试' : '加载更多'}
        </View>
      )}
    </View>
  );
}

interface PagedListProps<T> {
  /** what usePagedList answered */
  list: PagedListResult<T>;
  /** class stem for LoadView and LoadMore: '<name>-loading', '<name>-empty', '<name>-load-more', … */
  name: string;
  errorText: string;
  emptyText?: string;
  emptyHint?: string;
  emptyAction?: ReactNode;
  /** class of the foot block, e.g. 'mine-more' */
  moreBlock: string;
  /** one item of the list (keyed by the caller) */
  children: (item: T) => ReactNode;
}

/** A paged list's body: loading / error / empty, the items, and 加载更多 at the foot once the first page is in. */
export function PagedList<T>({ list, name, errorText, emptyText, emptyHint, emptyAction, moreBlock, children }: PagedListProps<T>) {
  return (
    <>
      <LoadView
        load={list.load}
        name={name}
        errorText={errorText}
        emptyText={emptyText}
        emptyHint={emptyHint}
        emptyAction={emptyAction}
        onRetry={() => void list.reload()}
      />
      {list.items.map(children)}
      {list.load.state === 'ready' ? (
        <LoadMore hasMore={list.hasMore} more={list.more} onMore={() => void list.loadMore()} block={moreBlock} name={name} />
      ) : null}
    </>
  );
}

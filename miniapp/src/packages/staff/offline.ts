// The offline check lives in shared so the staff page and the gate device client run the same code.
export { checkOffline, type OfflineCheck, type OfflineResult } from '@citysport/shared/src/ticket-offline';

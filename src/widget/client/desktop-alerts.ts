/**
 * Native browser notifications for a tab in the background. Permission is only ever asked from
 * a click (browsers ignore or penalize unprompted requests); each notification is shown once per
 * page, and the tag lets the OS collapse duplicates from the user's other tabs.
 */
import type { Notification as HeraldNotification } from './types';

const shown = new Set<string>();

export function desktopAlertsSupported(): boolean {
  return typeof window.Notification === 'function';
}

export function desktopPermission(): NotificationPermission | 'unsupported' {
  return desktopAlertsSupported() ? window.Notification.permission : 'unsupported';
}

/** Call from a click handler only. */
export async function requestDesktopPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (!desktopAlertsSupported()) return 'unsupported';
  return window.Notification.requestPermission();
}

export function showDesktopAlert(notification: HeraldNotification, onClick: () => void): void {
  if (document.visibilityState !== 'hidden' || desktopPermission() !== 'granted') return;
  if (shown.has(notification.id)) return;
  shown.add(notification.id);
  const alert = new window.Notification(notification.title, {
    body: notification.body,
    tag: `herald-${notification.id}`,
  });
  alert.onclick = () => {
    window.focus();
    onClick();
    alert.close();
  };
}

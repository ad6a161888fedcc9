/** The lifecycle's pure rules, shared by the view and the controls: preferences and snoozing. */
import type { ServerEvents } from '../../realtime/protocol';

export type PreferencesDocument = ServerEvents['preferences'];
export type Channel = 'inApp' | 'push';

/** The channel's effective value for `type`: the most specific rule that sets it, else global. */
export function effectiveSwitch(
  preferences: PreferencesDocument,
  type: string,
  channel: Channel,
): boolean {
  const candidates = [type];
  for (let dot = type.lastIndexOf('.'); dot > 0; dot = type.lastIndexOf('.', dot - 1)) {
    candidates.push(`${type.slice(0, dot)}.*`);
  }
  for (const pattern of candidates) {
    const value = preferences.types[pattern]?.[channel];
    if (value !== undefined) return value;
  }
  return preferences.channels[channel];
}

/** Snooze presets, in the user's local time. */
export function snoozePresets(now = new Date()): { label: string; until: Date }[] {
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const nextWeek = new Date(now);
  nextWeek.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7)); // next Monday
  nextWeek.setHours(9, 0, 0, 0);
  return [
    { label: 'Later today', until: new Date(now.getTime() + 3 * 3600_000) },
    { label: 'Tomorrow', until: tomorrow },
    { label: 'Next week', until: nextWeek },
  ];
}

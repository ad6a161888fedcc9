/** The preferences document of API.md "Preferences" (GET answers it, PATCH merges into it). */
export type Channel = 'inApp' | 'push';

export type ChannelSwitches = Partial<Record<Channel, boolean>>;

export interface PreferencesDocument {
  channels: Record<Channel, boolean>;
  types: Record<string, ChannelSwitches>;
}

/** A PATCH: channels merged, each type pattern merged, or removed with `null`. */
export interface PreferencesPatch {
  channels?: ChannelSwitches;
  types?: Record<string, ChannelSwitches | null>;
}

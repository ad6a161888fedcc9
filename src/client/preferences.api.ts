/** Preferences: the caller's own (a user token) or a user's (a service token). */
import { path, type HttpTransport } from './http-transport';
import type { PreferencesDocument, PreferencesPatch } from './types';

export class PreferencesApi {
  constructor(
    private readonly http: HttpTransport,
    /** `/v1/me/preferences`, or `/v1/users/:userId/preferences` for a service. */
    private readonly base: string,
  ) {}

  static mine(http: HttpTransport): PreferencesApi {
    return new PreferencesApi(http, '/v1/me/preferences');
  }

  static ofUser(http: HttpTransport, userId: string): PreferencesApi {
    return new PreferencesApi(http, path`/v1/users/${userId}/preferences`);
  }

  get(): Promise<PreferencesDocument> {
    return this.http.call('GET', this.base);
  }

  /** Merges: channels and each type pattern; a pattern set to `null` is removed. */
  patch(patch: PreferencesPatch): Promise<PreferencesDocument> {
    return this.http.call('PATCH', this.base, { body: patch });
  }
}

/** The user's token: a fixed string, or an app's `getToken` hook asked again when it expires. */
export type TokenProvider = () => string | Promise<string>;

export class TokenRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenRejectedError';
  }
}

export class TokenSource {
  private token: string | undefined;
  private pending: Promise<string> | null = null;

  constructor(
    initial: string | undefined,
    private readonly provider?: TokenProvider,
  ) {
    this.token = initial || undefined;
  }

  get canRefresh(): boolean {
    return this.provider !== undefined;
  }

  /** The token to use now (asks the hook when there is none yet). */
  current(): Promise<string> {
    return this.token ? Promise.resolve(this.token) : this.refresh();
  }

  /** A fresh token from the hook; concurrent callers share one call. */
  refresh(): Promise<string> {
    const provider = this.provider;
    if (!provider) {
      return Promise.reject(
        new TokenRejectedError('token rejected and no getToken hook to renew it'),
      );
    }
    this.pending ??= Promise.resolve()
      .then(provider)
      .then((token) => {
        if (typeof token !== 'string' || token === '') {
          throw new TokenRejectedError('getToken returned no token');
        }
        this.token = token;
        return token;
      })
      .finally(() => (this.pending = null));
    return this.pending;
  }
}

/** What a socket call rejects with when Herald answered its frame with an `error` frame. */
import type { ServerEvents } from '../realtime/protocol';

/** An `error` frame that answered one of this socket's frames (e.g. `rate_limited`). */
export class HeraldSocketError extends Error {
  override readonly name = 'HeraldSocketError';

  constructor(readonly data: ServerEvents['error']) {
    super(`${data.code}: ${data.message}`);
  }

  get code() {
    return this.data.code;
  }

  get retryAfterMs(): number | undefined {
    return this.data.retryAfterMs;
  }
}

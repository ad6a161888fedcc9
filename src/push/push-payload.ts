/**
 * The JSON a push carries: `{ id, seq, type, title, body, data, createdAt }`, cut to fit one
 * aes128gcm record of 4,096 bytes (RFC 8291: 86 bytes of header, 1 padding delimiter and a
 * 16-byte tag leave 3,993 for the plaintext), which is what every push service accepts. What is
 * cut, in order: `data` (down to its `url`, which the service worker opens on click), then the
 * body, then the title; `truncated: true` then tells the app to fetch the full notification.
 */
export const MAX_PUSH_PLAINTEXT = 4096 - 86 - 17;
const MAX_URL_LENGTH = 2048;

export interface PushContent {
  id: string;
  seq: number;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  createdAt: string;
}

export function pushPayload(content: PushContent, limit = MAX_PUSH_PLAINTEXT): string {
  const payload: PushContent & { truncated?: true } = { ...content };
  let json = JSON.stringify(payload);
  if (bytes(json) <= limit) return json;
  payload.truncated = true;
  const url = content.data['url'];
  payload.data = typeof url === 'string' && url.length <= MAX_URL_LENGTH ? { url } : {};
  json = JSON.stringify(payload);
  for (const field of ['body', 'title'] as const) {
    while (bytes(json) > limit && payload[field].length > 0) {
      const over = bytes(json) - limit;
      // Escapes can make one character several bytes of JSON: cut at least what is over.
      payload[field] = cutChars(payload[field], Math.max(1, Math.ceil(over / 6), over));
      json = JSON.stringify(payload);
    }
  }
  if (bytes(json) > limit) {
    payload.data = {};
    json = JSON.stringify(payload);
  }
  return json;
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** `text` less about `count` bytes from its end, never splitting a surrogate pair. */
function cutChars(text: string, count: number): string {
  const chars = Array.from(text);
  let removed = 0;
  while (chars.length > 0 && removed < count) removed += bytes(chars.pop() as string);
  return chars.join('');
}

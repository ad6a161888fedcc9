/** Input limits of API.md, in one place. */
export const USER_ID_MAX = 128;
export const MAX_RECIPIENTS = 10_000;
/** POST /v1/notifications/batch: publishes per request, and recipients named in all of them. */
export const MAX_PUBLISHES_PER_REQUEST = 100;
export const TYPE_MAX = 100;
export const TITLE_MAX = 200;
export const BODY_MAX = 2000;
export const DATA_MAX_BYTES = 8 * 1024;
export const IDEMPOTENCY_KEY_MAX = 200;
export const TOPIC_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
export const TOPIC_RULE = '1-200 characters: letters, digits, ".", "_", ":" or "-"';
export const MAX_IDS_PER_READ = 1000;

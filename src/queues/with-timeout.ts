/**
 * `promise`, or a rejection with `timeoutError()` once `ms` have passed without an answer. The
 * timer is cleared either way, so a pending race never keeps the process alive. The promise
 * itself is not cancelled: its late answer is ignored.
 */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  timeoutError: () => Error = () => new Error(`no answer within ${ms} ms`),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

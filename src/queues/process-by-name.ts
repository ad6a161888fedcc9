import type { Job, Queue } from 'bull';

/** One handler per job name of a queue; the type makes a missing or extra one a compile error. */
export type JobHandlers<Jobs> = { [N in keyof Jobs]: (job: Job<Jobs[N]>) => Promise<void> };

export interface ProcessOptions {
  /** Jobs run in parallel on this instance. */
  concurrency: number;
  /** The queues this instance runs (PROCESS_QUEUES); any other is left to other instances. */
  processed: readonly string[];
  /** Every failed attempt is logged (the job is retried or kept as failed by Bull). */
  logger: { log(message: string): void; warn(message: string): void };
}

/**
 * Runs a queue's jobs with exactly `concurrency` in parallel, each by the handler of its name,
 * if this instance runs that queue at all; says whether it does. Bull starts `concurrency`
 * workers per `process()` call and any worker takes any job, so a call per job name would run
 * `concurrency` times the number of names at once: one `'*'` call that dispatches by name
 * keeps it at `concurrency`.
 */
export function processByName<Jobs>(
  queue: Queue,
  handlers: JobHandlers<Jobs>,
  { concurrency, processed, logger }: ProcessOptions,
): boolean {
  if (!processed.includes(queue.name)) {
    logger.log(`the ${queue.name} queue is run by other instances (PROCESS_QUEUES)`);
    return false;
  }
  queue.on('failed', (job: Job, error: Error) =>
    logger.warn(`job ${job.name} ${job.id} failed (attempt ${job.attemptsMade}): ${error.message}`),
  );
  void queue.process('*', concurrency, (job: Job) => {
    const handler = (handlers as Record<string, ((job: Job) => Promise<void>) | undefined>)[
      job.name
    ];
    if (!handler) return Promise.reject(new Error(`no handler for a job named ${job.name}`));
    return handler(job);
  });
  return true;
}

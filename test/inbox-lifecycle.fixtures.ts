/** Helpers shared by the inbox lifecycle suites (archive/delete/views, snooze). */

/** The ids of a page of the inbox, in its order. */
export const ids = (page: { items: { id: string }[] }) => page.items.map((item) => item.id);

/** An ISO time `minutes` from now (a snooze's `until`). */
export const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

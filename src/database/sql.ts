import type { EntityManager, QueryResult } from 'typeorm';

/**
 * Runs raw SQL and returns its rows, whatever the statement. (`EntityManager.query` returns
 * `[rows, rowCount]` for UPDATE/DELETE but bare rows for SELECT/INSERT — easy to misread.)
 */
export async function sqlRows<T>(
  manager: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result: QueryResult = await runner.query(sql, params, true);
    return result.records as T[];
  } finally {
    if (!manager.queryRunner) await runner.release();
  }
}

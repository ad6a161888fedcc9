/**
 * Express middleware, right after the body parser: refuses input that would fail later, deep
 * inside the pipeline, instead of being answered as bad input.
 * - Nesting depth: the validation pipeline (class-transformer) recurses, so a body nested a few
 *   thousand levels deep (30 KiB of `{"a":`) overflowed the stack and answered 500.
 * - Strings Postgres cannot store (U+0000, unpaired surrogates in JSON): a publish carrying one
 *   was accepted with 202, then failed in every retry and was never stored; elsewhere they
 *   answered 500.
 * Both get 400, naming where the offending value is. (A middleware, not a pipe or an
 * interceptor: those also run for WebSocket messages, which the gateway answers itself.)
 */
import { BadRequestException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

export const MAX_JSON_DEPTH = 64;
const UNSTORABLE = /[\0\p{Cs}]/u; // in `u` mode \p{Cs} matches only unpaired surrogates

export function rejectUnstorableInput(request: Request, _response: Response, next: NextFunction) {
  let path: string;
  try {
    path = decodeURIComponent(request.path);
  } catch {
    path = ''; // bad percent-encoding: the router answers it with 400
  }
  const problem =
    (UNSTORABLE.test(path) ? 'the path must not contain U+0000 or unpaired surrogates' : null) ??
    findProblem(request.query, 'query') ??
    findProblem(request.body, 'body');
  next(problem ? new BadRequestException([problem]) : undefined);
}

/** The first problem in `root`, walked without recursion, or null. */
export function findProblem(root: unknown, rootName: string): string | null {
  const stack: { value: unknown; depth: number; path: string }[] = [
    { value: root, depth: 0, path: rootName },
  ];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, depth, path } = item;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) return `${path} must not contain U+0000 or unpaired surrogates`;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      return `${rootName} must not nest deeper than ${MAX_JSON_DEPTH} levels`;
    }
    for (const [key, child] of Object.entries(value)) {
      if (UNSTORABLE.test(key)) return `${path} has a key with U+0000 or unpaired surrogates`;
      stack.push({ value: child, depth: depth + 1, path: `${path}.${key.slice(0, 50)}` });
    }
  }
  return null;
}

/**
 * A Fastify `preValidation` hook (after the body is parsed, before guards and handlers): refuses
 * input that would fail later, deep inside the pipeline, instead of being answered as bad input.
 * - Nesting depth: the validation pipeline (class-transformer) recurses, so a body nested a few
 *   thousand levels deep (30 KiB of `{"a":`) would overflow the stack and answer 500.
 * - Strings Postgres cannot store (U+0000, unpaired surrogates in JSON): a publish carrying one
 *   would be accepted with 202, then fail in every retry and never be stored.
 * Both get 400, naming where the offending value is. (A hook of the HTTP server, not a pipe or an
 * interceptor: those also run for WebSocket messages, which the gateway answers itself.)
 */
import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const MAX_JSON_DEPTH = 64;
const UNSTORABLE = /[\0\p{Cs}]/u; // in `u` mode \p{Cs} matches only unpaired surrogates

export function installInputChecks(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', (request, _reply, done) => {
    const problem = inputProblem(request);
    done(problem ? new BadRequestException([problem]) : undefined);
  });
}

function inputProblem(request: FastifyRequest): string | null {
  const url = request.url;
  const queryAt = url.indexOf('?');
  const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
  let path: string;
  try {
    path = rawPath.includes('%') ? decodeURIComponent(rawPath) : rawPath;
  } catch {
    path = ''; // bad percent-encoding: the router answers it with 400
  }
  return (
    (UNSTORABLE.test(path) ? 'the path must not contain U+0000 or unpaired surrogates' : null) ??
    (queryAt < 0 ? null : findProblem(request.query, 'query')) ??
    findProblem(request.body, 'body')
  );
}

/** The first problem in `root`, walked without recursion, or null. */
function findProblem(root: unknown, rootName: string): string | null {
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

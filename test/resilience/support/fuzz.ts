/**
 * A small seeded generator of hostile input for Herald: HTTP requests (method, path, query,
 * headers, body) and WebSocket frames. Same seed, same cases, so a failure can be replayed by
 * running the suite with FUZZ_SEED=<seed>. The values every case is drawn from are in
 * fuzz-values.ts, the HTTP cases in fuzz-http.ts, the WebSocket frames in fuzz-ws.ts.
 */
export { deepJson, Rng } from './fuzz-values';
export { httpCase, type HttpCase } from './fuzz-http';
export { closingFrame, wsFrame } from './fuzz-ws';

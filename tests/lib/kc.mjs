// Helpers for driving the real npm `kurento-client` against the server.
//
// Notes (see /work/shared/notes/environment.md):
//  * KurentoClient and MediaObject proxies are "thenables": never resolve a Promise with them
//    directly (the promise would try to assimilate them). cb() below wraps results in an array.
//  * In kurento-client 7.3.0 the promise form of MediaObject methods can resolve `undefined`
//    when the server returns an error, so the callback form is used everywhere.
import kurentoClient from 'kurento-client';

export { kurentoClient };

/**
 * Call a callback-style API and get a promise of [result].
 *   const [pipeline] = await cb((done) => client.create('MediaPipeline', done));
 */
export function cb(fn, timeoutMs = 30000, what = 'kurento-client call') {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no callback within ${timeoutMs} ms`)), timeoutMs);
    try {
      fn((err, result) => {
        clearTimeout(t);
        if (err) reject(err);
        else resolve([result]);
      });
    } catch (err) {
      clearTimeout(t);
      reject(err);
    }
  });
}

/** Like cb() but resolves with the error (or null) instead of rejecting. */
export function cbError(fn, timeoutMs = 30000, what = 'kurento-client call') {
  return cb(fn, timeoutMs, what).then(() => null, (err) => err);
}

/**
 * Connect a KurentoClient; resolves [client] once the client is usable (strict start-up check done).
 * The instance returned is the real KurentoClient (the callback gets a disguised copy that lacks
 * non-enumerable properties such as `sessionId`).
 */
export async function connectClient(url, options = {}) {
  let instance;
  await cb((done) => {
    instance = kurentoClient(url, { failAfter: 1, strict: true, duplicates_timeout: 1000, ...options }, done);
  }, 20000, 'kurentoClient connect');
  return [instance];
}

/** Wait for one event on a proxy (adds a listener → the client subscribes on the server). */
export function once(proxy, type, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      proxy.removeListener(type, handler);
      reject(new Error(`no ${type} event within ${timeoutMs} ms`));
    }, timeoutMs);
    function handler(data) {
      clearTimeout(t);
      proxy.removeListener(type, handler);
      resolve(data);
    }
    proxy.on(type, handler);
  });
}

/** Close a client quietly. */
export function closeClient(client) {
  try {
    if (client && typeof client.close === 'function') client.close();
  } catch {
    /* ignore */
  }
}

/**
 * Keep a listener on `proxy` for `type` and record every occurrence.
 * Returns {events, next(timeoutMs)}: next() resolves with the first unconsumed occurrence.
 */
export function collect(proxy, type) {
  const events = [];
  let consumed = 0;
  const waiters = [];
  proxy.on(type, (data) => {
    events.push(data);
    const w = waiters.shift();
    if (w) { consumed++; clearTimeout(w.t); w.resolve(data); }
  });
  return {
    events,
    next(timeoutMs = 30000) {
      if (consumed < events.length) return Promise.resolve(events[consumed++]);
      return new Promise((resolve, reject) => {
        const w = { resolve };
        w.t = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`no ${type} event within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
  };
}

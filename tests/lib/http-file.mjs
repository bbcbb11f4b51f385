// A tiny static HTTP server for tests: serves files from a map of URL path → local file,
// listening on 127.0.0.1 only (port chosen by the OS). Supports simple single Range requests
// ("bytes=a-b", "bytes=a-", "bytes=-n") and HEAD.
import http from 'node:http';
import { createReadStream, statSync } from 'node:fs';

/**
 * @param {Record<string, string>} files  e.g. {'/clip.webm': '/tmp/x/clip.webm'}
 * @returns {Promise<{url:(p:string)=>string, port:number, requests:object[], close:()=>Promise<void>}>}
 */
export async function serveFiles(files, { contentType = 'video/webm' } = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const urlPath = new URL(req.url, 'http://127.0.0.1').pathname;
    requests.push({ method: req.method, path: urlPath, range: req.headers.range || null });
    const file = files[urlPath];
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(file ? 405 : 404, { 'Content-Length': 0 });
      res.end();
      return;
    }
    const size = statSync(file).size;
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = req.headers.range && /^bytes=(\d*)-(\d*)$/.exec(req.headers.range.trim());
    if (range && (range[1] !== '' || range[2] !== '')) {
      if (range[1] === '') {
        start = Math.max(0, size - Number(range[2]));
      } else {
        start = Number(range[1]);
        if (range[2] !== '') end = Math.min(size - 1, Number(range[2]));
      }
      if (start >= size || start > end) {
        res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
        res.end();
        return;
      }
      status = 206;
    }
    const headers = {
      'Content-Type': contentType,
      'Content-Length': end - start + 1,
      'Accept-Ranges': 'bytes',
    };
    if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file, { start, end });
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  });
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    port,
    requests,
    url: (p) => `http://127.0.0.1:${port}${p}`,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

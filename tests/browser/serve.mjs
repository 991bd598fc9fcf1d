// A tiny static file server for the built book, on 127.0.0.1 only.
//
// It serves `root` under the URL path `prefix` (the book's `site-url`, such as
// "/book/" on GitHub Pages), answers a missing file with 404 and the book's
// 404.html, as GitHub Pages does, and serves nothing outside `root`.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const TYPES = {
    '.css': 'text/css; charset=utf-8',
    '.html': 'text/html; charset=utf-8',
    '.ico': 'image/x-icon',
    '.js': 'text/javascript; charset=utf-8',
    '.json': 'application/json',
    '.png': 'image/png',
    '.svg': 'image/svg+xml',
    '.ttf': 'font/ttf',
    '.txt': 'text/plain; charset=utf-8',
    '.woff': 'font/woff',
    '.woff2': 'font/woff2',
};

/** The file under `root` that `urlPath` names, or null. */
export function fileFor(root, prefix, urlPath) {
    if (!urlPath.startsWith(prefix)) {
        return null;
    }
    let relative;
    try {
        relative = decodeURIComponent(urlPath.slice(prefix.length));
    } catch {
        return null;
    }
    let file = path.resolve(root, relative);
    if (file !== root && !file.startsWith(root + path.sep)) {
        return null;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
        file = path.join(file, 'index.html');
    }
    return fs.existsSync(file) && fs.statSync(file).isFile() ? file : null;
}

/** Starts the server; resolves to `{ origin, base, close }`. */
export function serveBook(root, prefix = '/') {
    root = path.resolve(root);
    const server = http.createServer((request, response) => {
        const urlPath = new URL(request.url, 'http://localhost').pathname;
        const file = fileFor(root, prefix, urlPath);
        const notFound = path.join(root, '404.html');
        const body = file ?? (fs.existsSync(notFound) ? notFound : null);
        response.writeHead(file ? 200 : 404, {
            'Content-Type': TYPES[path.extname(body ?? '.txt')] ?? 'application/octet-stream',
            'Cache-Control': 'no-store',
        });
        if (request.method === 'HEAD' || body === null) {
            response.end();
        } else {
            fs.createReadStream(body).pipe(response);
        }
    });
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const origin = `http://127.0.0.1:${server.address().port}`;
            resolve({
                origin,
                base: origin + prefix,
                close: () => new Promise(done => server.close(done)),
            });
        });
    });
}

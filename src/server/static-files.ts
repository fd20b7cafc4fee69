/**
 * Static files for a router (serve's dashboard assets, the chart kit, uPlot): a prefix route per
 * directory, so several mounts below one prefix go to the longest matching one (router.ts), and a
 * path that could leave the directory is a 404: encoded or literal `..`, backslashes, NUL, dot-files,
 * symlinks resolving outside.
 */
import { open, realpath } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { send, sendText } from './respond.js';
import type { Route } from './router.js';

/** A directory served below a URL prefix (which starts and ends with '/'). */
export interface StaticMount {
  prefix: string;
  dir: string;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Files larger than this are not served (the assets are a few hundred KB). */
const MAX_FILE_BYTES = 32 * 1024 * 1024;

/** The file under `dir` for a URL path below the prefix, or null when it is not one to serve. */
async function staticFile(dir: string, rel: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return null;
  }
  if (decoded === '' || decoded.includes('\0') || decoded.includes('\\')) return null;
  const parts = decoded.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.startsWith('.'))) return null;
  let root: string;
  let full: string;
  try {
    root = await realpath(dir);
    full = await realpath(join(root, ...parts));
  } catch {
    return null;
  }
  return full.startsWith(root + sep) ? full : null;
}

/** The route serving `mount.dir` at `mount.prefix` (GET and HEAD; `Cache-Control: no-cache`). */
export function staticRoute(mount: StaticMount): Route {
  return {
    path: mount.prefix,
    prefix: true,
    async handle(req, res, ctx) {
      const file = await staticFile(mount.dir, ctx.path.slice(mount.prefix.length));
      if (file === null) return sendText(res, 404, 'not found');
      const handle = await open(file, 'r');
      try {
        const st = await handle.stat();
        if (!st.isFile() || st.size > MAX_FILE_BYTES) return sendText(res, 404, 'not found');
        const body = await handle.readFile();
        const type = contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
        await send(req, res, 200, type, body, { headers: { 'cache-control': 'no-cache' } });
      } finally {
        await handle.close();
      }
    },
  };
}

/**
 * Giving back the file pages serve touched once. Of a serve's ~60 MiB resident memory, ~36 MiB were
 * pages of Node's own executable (its code and read-only data) and ~3 MiB those of the C libraries; a
 * bare idle `node` holds the same. Most of them ran once, while Node started (V8's and OpenSSL's set-up,
 * the module loader, ICU): measured, serve's steady state touches ~12 MiB of the executable. The rest
 * stays mapped, counted in serve's RSS and kept from the kernel's easiest reclaim (mapped code is
 * reclaimed last), for as long as serve runs.
 *
 * `releaseFilePages()` drops every page of the private, read-only file mappings none of whose pages
 * was ever written from this process's page tables (madvise MADV_DONTNEED, native/memory.c). Nothing
 * is lost: such a page is the file's page in the page cache, and the next touch maps it again (a minor
 * fault; a read from disk only if the kernel evicted it meanwhile), exactly as after the kernel's own
 * reclaim under memory pressure. Mappings with a written (copy-on-write, "Anonymous") page, writable,
 * shared, locked or of a deleted file are left alone. serve calls it with its full garbage collection
 * (every minute, and after a history query), so its RSS is what it used in the last minute, not what
 * Node needed once to start. The cost: ~3 ms a call (reading /proc/self/smaps, unmapping ~13 MiB) and
 * ~100 minor faults as the next tick maps back what it runs, ~4 ms a minute in all
 * (bench/release-pages.bench.ts; BENCHMARKS.md, serve: Node's start-up pages given back).
 */
import { readFileSync } from 'node:fs';
import { loadNative } from '../sampling/native.js';

/** One mapping `releasableMappings` would release: addresses as smaps prints them (hexadecimal). */
export interface FileMapping {
  start: string;
  end: string;
  path: string;
  /** Resident KiB before the release. */
  rssKiB: number;
}

/** The mappings of an smaps text whose pages can be dropped and mapped again with nothing lost. */
export function releasableMappings(smaps: string): FileMapping[] {
  const out: FileMapping[] = [];
  let cur: (FileMapping & { perms: string; unsafe: boolean }) | null = null;
  const close = (): void => {
    if (cur === null) return;
    const { perms, unsafe, ...m } = cur;
    // Private (p), not writable: the file's page-cache page itself is what is mapped, until written.
    const readOnlyPrivate = perms[0] === 'r' && perms[1] === '-' && perms[3] === 'p';
    // A file's, not a device's (/dev/*: no page cache behind it) nor a deleted one's (memfd and the like).
    const file = m.path.startsWith('/') && !m.path.startsWith('/dev/') && !m.path.endsWith(' (deleted)');
    if (readOnlyPrivate && file && !unsafe && m.rssKiB > 0) out.push(m);
    cur = null;
  };
  for (const line of smaps.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+ *(.*)$/.exec(line);
    if (head !== null) {
      close();
      cur = { start: head[1]!, end: head[2]!, perms: head[3]!, path: head[4]!, rssKiB: 0, unsafe: false };
      continue;
    }
    if (cur === null) continue;
    const field = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (field === null) continue;
    const kib = Number(field[2]);
    if (field[1] === 'Rss') cur.rssKiB = kib;
    // A written page (copy-on-write: Anonymous, Private_Dirty), a dirty shared page or a locked one: leave the mapping.
    else if (kib > 0 && (field[1] === 'Anonymous' || field[1] === 'Private_Dirty' || field[1] === 'Shared_Dirty' || field[1] === 'Locked')) cur.unsafe = true;
  }
  close();
  return out;
}

export interface ReleaseResult {
  /** Resident bytes of the released mappings before the release. */
  bytes: number;
  mappings: number;
  /** The first failure (the rest are still tried), or null. */
  error: string | null;
}

interface PagesAddon {
  releasePages?: (startHex: string, endHex: string) => number;
}

/**
 * Drops this process's releasable file pages (see the module's comment); null without the native addon
 * (PERFSCOPE_NATIVE=0, not built) or off Linux, where it does nothing.
 */
export function releaseFilePages(smapsPath = '/proc/self/smaps'): ReleaseResult | null {
  const addon = loadNative() as PagesAddon | null;
  if (addon === null || typeof addon.releasePages !== 'function') return null;
  let text: string;
  try {
    text = readFileSync(smapsPath, 'utf8');
  } catch (err) {
    return { bytes: 0, mappings: 0, error: `reading ${smapsPath}: ${(err as Error).message}` };
  }
  const result: ReleaseResult = { bytes: 0, mappings: 0, error: null };
  for (const m of releasableMappings(text)) {
    const rc = addon.releasePages(m.start, m.end);
    if (rc === 0) {
      result.bytes += m.rssKiB * 1024;
      result.mappings++;
    } else if (result.error === null) {
      result.error = `madvise(${m.start}-${m.end} ${m.path}, MADV_DONTNEED) failed: errno ${rc}`;
    }
  }
  return result;
}

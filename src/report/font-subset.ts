/**
 * Cuts the bundled TrueType font down to the characters one HTML report uses, so the page can carry
 * its own Hangul glyphs (a viewer without a Korean font would otherwise see empty boxes) for tens of
 * KB instead of the whole 2.4 MB file. Glyph ids are kept; unused glyphs become empty, layout and
 * vertical-metrics tables are dropped (Hangul syllables are precomposed: no shaping needed).
 */

interface Table {
  tag: string;
  data: Buffer;
}

const dropped = new Set(['GPOS', 'GSUB', 'GDEF', 'BASE', 'STAT', 'vhea', 'vmtx', 'DSIG']);

/** A TTF holding only the glyphs of `text` (plus .notdef and what composite glyphs reference). */
export function subsetTtf(font: Buffer, text: string): Buffer {
  const tables = new Map<string, Buffer>();
  const numTables = font.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    const tag = font.toString('latin1', rec, rec + 4);
    const offset = font.readUInt32BE(rec + 8);
    const length = font.readUInt32BE(rec + 12);
    tables.set(tag, font.subarray(offset, offset + length));
  }
  const head = tables.get('head');
  const loca = tables.get('loca');
  const glyf = tables.get('glyf');
  const maxp = tables.get('maxp');
  const cmap = tables.get('cmap');
  if (!head || !loca || !glyf || !maxp || !cmap) throw new Error('not a TrueType (glyf) font');
  const numGlyphs = maxp.readUInt16BE(4);
  const longLoca = head.readInt16BE(50) === 1;
  const glyphStart = (g: number): number => (longLoca ? loca.readUInt32BE(4 * g) : 2 * loca.readUInt16BE(2 * g));

  const keep = new Uint8Array(numGlyphs);
  keep[0] = 1;
  const lookup = cmapLookup(cmap);
  for (const ch of text) {
    const g = lookup(ch.codePointAt(0)!);
    if (g > 0 && g < numGlyphs) keep[g] = 1;
  }
  // Composite glyphs pull in their components (repeat until nothing new).
  const queue = [...keep.keys()].filter((g) => keep[g] === 1);
  while (queue.length > 0) {
    const g = queue.pop()!;
    const start = glyphStart(g);
    const end = glyphStart(g + 1);
    if (end - start < 10 || glyf.readInt16BE(start) >= 0) continue;
    let p = start + 10;
    for (;;) {
      const flags = glyf.readUInt16BE(p);
      const component = glyf.readUInt16BE(p + 2);
      if (component < numGlyphs && keep[component] === 0) {
        keep[component] = 1;
        queue.push(component);
      }
      p += 4 + (flags & 0x0001 ? 4 : 2);
      if (flags & 0x0008) p += 2;
      else if (flags & 0x0040) p += 4;
      else if (flags & 0x0080) p += 8;
      if (!(flags & 0x0020)) break;
    }
  }

  const parts: Buffer[] = [];
  const newLoca = Buffer.alloc(4 * (numGlyphs + 1));
  let size = 0;
  for (let g = 0; g < numGlyphs; g++) {
    newLoca.writeUInt32BE(size, 4 * g);
    if (keep[g] === 0) continue;
    const data = glyf.subarray(glyphStart(g), glyphStart(g + 1));
    const padded = Buffer.alloc((data.length + 3) & ~3);
    data.copy(padded);
    parts.push(padded);
    size += padded.length;
  }
  newLoca.writeUInt32BE(size, 4 * numGlyphs);
  const newHead = Buffer.from(head);
  newHead.writeUInt32BE(0, 8); // checkSumAdjustment: not recomputed
  newHead.writeInt16BE(1, 50); // long loca offsets

  const out: Table[] = [];
  for (const [tag, data] of tables) {
    if (dropped.has(tag)) continue;
    if (tag === 'glyf') out.push({ tag, data: Buffer.concat(parts) });
    else if (tag === 'loca') out.push({ tag, data: newLoca });
    else if (tag === 'head') out.push({ tag, data: newHead });
    else out.push({ tag, data });
  }
  return writeFont(font.readUInt32BE(0), out);
}

/** Code point -> glyph id from a format 4 cmap subtable (Windows Unicode BMP preferred). */
function cmapLookup(cmap: Buffer): (cp: number) => number {
  const n = cmap.readUInt16BE(2);
  let sub = -1;
  for (let i = 0; i < n; i++) {
    const rec = 4 + 8 * i;
    const platform = cmap.readUInt16BE(rec);
    const encoding = cmap.readUInt16BE(rec + 2);
    const offset = cmap.readUInt32BE(rec + 4);
    if (cmap.readUInt16BE(offset) !== 4) continue;
    if (sub < 0 || (platform === 3 && encoding === 1)) sub = offset;
  }
  if (sub < 0) throw new Error('no format 4 cmap');
  const segX2 = cmap.readUInt16BE(sub + 6);
  const ends = sub + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const ranges = deltas + segX2;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let s = 0; s < segX2; s += 2) {
      if (cmap.readUInt16BE(ends + s) < cp) continue;
      const start = cmap.readUInt16BE(starts + s);
      if (start > cp) return 0;
      const delta = cmap.readUInt16BE(deltas + s);
      const range = cmap.readUInt16BE(ranges + s);
      if (range === 0) return (cp + delta) & 0xffff;
      const g = cmap.readUInt16BE(ranges + s + range + 2 * (cp - start));
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
}

function writeFont(version: number, tables: Table[]): Buffer {
  tables.sort((a, b) => (a.tag < b.tag ? -1 : 1));
  const n = tables.length;
  const log2 = Math.floor(Math.log2(n));
  const header = Buffer.alloc(12 + 16 * n);
  header.writeUInt32BE(version, 0);
  header.writeUInt16BE(n, 4);
  header.writeUInt16BE(16 * 2 ** log2, 6);
  header.writeUInt16BE(log2, 8);
  header.writeUInt16BE(16 * n - 16 * 2 ** log2, 10);
  const bodies: Buffer[] = [];
  let offset = header.length;
  tables.forEach((t, i) => {
    const rec = 12 + 16 * i;
    const padded = Buffer.alloc((t.data.length + 3) & ~3);
    t.data.copy(padded);
    header.write(t.tag, rec, 'latin1');
    header.writeUInt32BE(checksum(padded), rec + 4);
    header.writeUInt32BE(offset, rec + 8);
    header.writeUInt32BE(t.data.length, rec + 12);
    bodies.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([header, ...bodies]);
}

function checksum(data: Buffer): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum = (sum + data.readUInt32BE(i)) >>> 0;
  return sum;
}

/**
 * Message patterns of WARNING and ERROR lines: one Drain per level over the message alone (the
 * performance log's timestamp, level, function and duration are stripped by the parsers, so the
 * function name does not become a variable of every template; the keys are listed per template instead).
 */
import { escapeControls } from '../../logs/parse/malformed.js';
import { ERROR } from '../../logs/parse/parsed-line.js';
import { Drain, templateText } from '../drain.js';
import type { MessageList, MessageSink } from './message-log.js';
import type { Pattern } from './result.js';

interface TemplateInfo {
  example: string;
  keys: Set<number>;
  firstMs: number;
  lastMs: number;
}

const MAX_KEYS = 20;

export class PatternMiner implements MessageSink {
  private readonly drains = [new Drain(), new Drain()];
  private readonly infos: Map<number, TemplateInfo>[] = [new Map(), new Map()];

  /** `level`: WARN or ERROR; `key`: the call's key id, or -1 for a line that is not a call. */
  add(message: string, level: number, key: number, timeMs: number): void {
    const l = level === ERROR ? 1 : 0;
    const cluster = this.drains[l]!.add(message);
    if (cluster === null) return;
    const infos = this.infos[l]!;
    let info = infos.get(cluster.id);
    if (!info) {
      const example = escapeControls(message.length > 300 ? `${message.slice(0, 300)}…` : message);
      infos.set(cluster.id, (info = { example, keys: new Set(), firstMs: timeMs, lastMs: timeMs }));
    }
    if (key >= 0 && info.keys.size < 1000) info.keys.add(key);
    if (timeMs === timeMs) {
      if (!(info.firstMs <= timeMs)) info.firstMs = timeMs;
      if (!(info.lastMs >= timeMs)) info.lastMs = timeMs;
    }
  }

  /** Mines messages kept by a MessageLog, in their order, with each key `k` as `keyOf[k]`. */
  addAll(list: MessageList, keyOf: Int32Array): void {
    for (let i = 0; i < list.messages.length; i++) {
      const key = list.keys[i]!;
      this.add(list.messages[i]!, list.levels[i]!, key >= 0 ? keyOf[key]! : -1, list.times[i]!);
    }
  }

  get unclustered(): number {
    return this.drains[0]!.unclustered + this.drains[1]!.unclustered;
  }

  /** Templates by count (most first), at most `top` (0 = all); `keyName` maps key ids to final names. */
  result(keyName: (key: number) => string, top: number): Pattern[] {
    const all: Pattern[] = [];
    this.drains.forEach((drain, l) => {
      const infos = this.infos[l]!;
      for (const c of drain.clusters()) {
        const info = infos.get(c.id)!;
        const keys = [...new Set([...info.keys].map(keyName))].sort();
        all.push({
          template: escapeControls(templateText(c)),
          count: c.count,
          level: l === 1 ? 'ERROR' : 'WARNING',
          example: info.example,
          keys: keys.slice(0, MAX_KEYS),
          firstSeen: info.firstMs === info.firstMs ? new Date(info.firstMs).toISOString() : null,
          lastSeen: info.lastMs === info.lastMs ? new Date(info.lastMs).toISOString() : null,
        });
      }
    });
    all.sort((a, b) => b.count - a.count || (a.level < b.level ? -1 : a.level > b.level ? 1 : 0) || (a.template < b.template ? -1 : 1));
    return top > 0 ? all.slice(0, top) : all;
  }
}

/**
 * The messages of WARNING and ERROR lines on their way to pattern mining: the sink a pass writes them
 * to, and a log that keeps them in line order for a PatternMiner on another thread (a part of the
 * input read by a worker; Drain's templates depend on the order, so they are mined in one place).
 */
/** Where a pass puts the messages of WARNING and ERROR lines. */
export interface MessageSink {
  /** `level`: WARN or ERROR; `key`: the call's key id, or -1 for a line that is not a call. */
  add(message: string, level: number, key: number, timeMs: number): void;
}

/** Messages kept in line order, for a PatternMiner elsewhere (Drain's templates depend on the order). */
export interface MessageList {
  messages: string[];
  levels: number[];
  keys: number[];
  times: number[];
}

/** A MessageSink that keeps the messages (a part of the input read on another thread). */
export class MessageLog implements MessageSink {
  readonly list: MessageList = { messages: [], levels: [], keys: [], times: [] };

  add(message: string, level: number, key: number, timeMs: number): void {
    this.list.messages.push(message);
    this.list.levels.push(level);
    this.list.keys.push(key);
    this.list.times.push(timeMs);
  }
}

/** Columnar accumulation of rows: every column stays aligned with `timestamp`, missing values are null. */
import type { SeriesColumns } from '../core/run-data.js';

export class ColumnBuilder {
  readonly columns: SeriesColumns = { timestamp: [] };
  private length = 0;

  get size(): number {
    return this.length;
  }

  append(t: number, row: Record<string, number | null>): void {
    const cols = this.columns;
    cols.timestamp.push(t);
    for (const key in row) {
      let col = cols[key];
      if (col === undefined) {
        // A column that appears later is back-filled with nulls so every column has one value per sample.
        col = new Array<number | null>(this.length).fill(null);
        cols[key] = col;
      }
      col.push(row[key] ?? null);
    }
    this.length++;
    for (const key in cols) {
      const col = cols[key]!;
      if (col.length < this.length) col.push(null);
    }
  }
}

/** What a recording has to tell its user while it runs and at its end, as data (the CLI prints them). */

/** One message: `note` (good to know), `warning` (something was lost or left out), `error` (a fault). */
export interface RecordNote {
  level: 'note' | 'warning' | 'error';
  message: string;
}

/** Receives notes as they happen (e.g. to print them at once). */
export type NoteListener = (note: RecordNote) => void;

/**
 * Syntax of time references: `name[.field] (± duration)*`, e.g. `lmp + 13w6d`,
 * `book_nt.appointment_at - 24h`, `trigger + 30min`. Only the syntax lives here; what the
 * names mean is checked against the pathway by `semantic/references.ts`.
 */
import { parseDuration } from '../planner/duration.ts';

export interface ParsedTimeRef {
  name: string;
  nameCol: number;
  field?: string;
  fieldCol?: number;
  /** Sum of the offsets, in minutes. */
  offset: number;
  /** True when some offset has an hours or minutes part. */
  subDay: boolean;
}

export type TimeRefParse = { ok: true; ref: ParsedTimeRef } | { ok: false; message: string; col: number };

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const DURATION_TOKEN = /[0-9][0-9A-Za-z]*/y;

/** Parses one time reference; `col` values are 0-based offsets into `text`. */
export function parseTimeRef(text: string): TimeRefParse {
  let i = skipSpace(text, 0);
  NAME.lastIndex = i;
  const name = NAME.exec(text);
  if (!name) return { ok: false, message: `expected an anchor or step name at the start of '${text}'`, col: i };
  const ref: ParsedTimeRef = { name: name[0], nameCol: i, offset: 0, subDay: false };
  i += name[0].length;
  if (text[i] === '.') {
    NAME.lastIndex = i + 1;
    const field = NAME.exec(text);
    if (!field) return { ok: false, message: `expected a field name after '${ref.name}.'`, col: i + 1 };
    ref.field = field[0];
    ref.fieldCol = i + 1;
    i += 1 + field[0].length;
  }
  for (;;) {
    i = skipSpace(text, i);
    if (i >= text.length) break;
    const sign = text[i];
    if (sign !== '+' && sign !== '-') {
      return { ok: false, message: `expected '+' or '-' followed by a duration, found '${text.slice(i)}'`, col: i };
    }
    i = skipSpace(text, i + 1);
    DURATION_TOKEN.lastIndex = i;
    const token = DURATION_TOKEN.exec(text);
    if (!token) return { ok: false, message: `expected a duration after '${sign}' (e.g. 280d, 13w6d, 36h, 30min)`, col: i };
    const duration = parseDuration(token[0]);
    if (!duration) {
      const hint = /^\d+$/.test(token[0]) ? `missing unit after ${token[0]}` : `'${token[0]}' is not a duration`;
      return { ok: false, message: `${hint} (use w, d, h and min, e.g. 280d, 13w6d, 36h, 30min)`, col: i };
    }
    ref.offset += sign === '-' ? -duration.minutes : duration.minutes;
    ref.subDay ||= duration.subDay;
    i += token[0].length;
  }
  return { ok: true, ref };
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

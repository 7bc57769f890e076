/**
 * The state shared by the semantic checks: a defensive view of the parsed document (it may be
 * structurally invalid), the diagnostics found so far and the time references resolved so far.
 */
import type { TimeRef } from '../model/compiled.ts';
import type { ContentLibrary } from './content.ts';
import type { Diagnostic } from './diagnostics.ts';
import type { Locator, Path } from './source.ts';
import type { Vocabulary } from './vocabulary.ts';

export type Raw = Record<string, unknown>;

export interface Named {
  name: string;
  path: Path;
  def: Raw;
}

export interface Listed {
  id: string | undefined;
  path: Path;
  def: Raw;
}

export interface Draft {
  root: Raw;
  anchors: Named[];
  /** Named fixed dates (`calendar:`); time references use them like date anchors. */
  calendar: Named[];
  variables: Named[];
  events: Named[];
  stages: Listed[];
  entitlements: Listed[];
  steps: Listed[];
}

export function isRaw(v: unknown): v is Raw {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Reads the parts of a document the checks need, ignoring anything malformed. */
export function readDraft(value: unknown): Draft {
  const root = isRaw(value) ? value : {};
  const named = (key: string): Named[] =>
    isRaw(root[key]) ? Object.entries(root[key] as Raw).flatMap(([name, def]) => [{ name, path: [key, name], def: isRaw(def) ? def : {} }]) : [];
  const listed = (key: string): Listed[] =>
    Array.isArray(root[key])
      ? (root[key] as unknown[]).flatMap((def, i) => (isRaw(def) ? [{ id: typeof def['id'] === 'string' ? def['id'] : undefined, path: [key, i], def }] : []))
      : [];
  return {
    root,
    anchors: named('anchors'),
    calendar: named('calendar'),
    variables: named('variables'),
    events: named('events'),
    stages: listed('stages'),
    entitlements: listed('entitlements'),
    steps: listed('steps'),
  };
}

export function str(def: Raw, key: string): string | undefined {
  const v = def[key];
  return typeof v === 'string' ? v : undefined;
}

export function strList(def: Raw, key: string): { value: string; index: number }[] {
  const v = def[key];
  return Array.isArray(v) ? v.flatMap((x, index) => (typeof x === 'string' ? [{ value: x, index }] : [])) : [];
}

/**
 * A step's channels: a list (a message on each), or `{ prefer: [...], within }` — a preference
 * order, each channel tried when the one before did not deliver within the time (`phone`, a
 * person's call, last). `path` is where the names are, for located errors.
 */
export function channelsOf(def: Raw): { list: { value: string; index: number }[]; path: string[]; within?: string } {
  const v = def['channels'];
  if (!isRaw(v)) return { list: strList(def, 'channels'), path: ['channels'] };
  const within = str(v, 'within');
  return { list: strList(v, 'prefer'), path: ['channels', 'prefer'], ...(within !== undefined ? { within } : {}) };
}

export function sub(def: Raw, key: string): Raw {
  const v = def[key];
  return isRaw(v) ? v : {};
}

export interface Environment {
  vocabulary: Vocabulary;
  content: ContentLibrary;
}

export class Analysis {
  readonly diagnostics: Diagnostic[] = [];
  /** Resolved time references by JSON-encoded path. */
  readonly refs = new Map<string, TimeRef>();
  /** Steps that rules or events trigger. */
  readonly triggered = new Set<string>();
  /** Dependent steps and the step they follow. */
  readonly dependsOn = new Map<string, string>();
  offsetMinutes = 480;

  constructor(
    readonly draft: Draft,
    readonly locator: Locator,
    readonly env: Environment,
  ) {}

  report(rule: string, message: string, path: Path, opts: { key?: boolean; offset?: number } = {}): void {
    const { line, col } = this.locator.position(path, opts);
    this.diagnostics.push({ file: this.locator.file, line, col, rule, message });
  }

  ref(path: Path): TimeRef | undefined {
    return this.refs.get(JSON.stringify(path));
  }

  get stepIds(): Set<string> {
    return new Set(this.draft.steps.flatMap((s) => (s.id ? [s.id] : [])));
  }

  step(id: string): Listed | undefined {
    return this.draft.steps.find((s) => s.id === id);
  }

  /** An anchor or, failing that, a calendar date: both are bases of time references. */
  anchor(name: string): Named | undefined {
    return this.draft.anchors.find((a) => a.name === name) ?? this.calendarDate(name);
  }

  calendarDate(name: string): Named | undefined {
    return this.draft.calendar.find((c) => c.name === name);
  }

  /** Names usable as the base of a time reference: anchors, then calendar dates. */
  get anchorNames(): string[] {
    return [...this.draft.anchors, ...this.draft.calendar].map((x) => x.name);
  }
}

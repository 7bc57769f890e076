/**
 * Seeded fuzz test of the pathway compiler. Each case takes one shipped pathway (pathways/**.yaml,
 * not content/) — whole, or a slice of it: the header plus a few steps and the steps they name —
 * and mutates it: first on the parsed YAML document (a value replaced by one of another type, a key
 * renamed or dropped, nodes duplicated, multiplied, swapped, wrapped or aliased), then on the text
 * (lines deleted, duplicated, swapped or re-indented, odd bytes, anchors and aliases, `!!tags`, `<<`
 * merge keys, a 100k-character scalar, flow collections thousands deep, truncation …).
 * `compileSource` must not throw and must answer within PER_CASE_MS with either a compiled pathway
 * (plain JSON, no diagnostics) or diagnostics, each with the file, a line and column inside the
 * text, a rule from RULES and a non-empty message shorter than MAX_MESSAGE.
 *
 * Case i draws from its own PRNG, mulberry32 seeded from (SEED, i), so any case regenerates alone:
 *   FUZZ_CASE=<i> [FUZZ_SEED=<seed>] npx vitest run tests/pathway/compiler-fuzz.test.ts
 * runs case i only, prints its mutations and diagnostics, and writes its input to
 * $TMPDIR/compiler-fuzz-<seed>-<i>.yaml. FUZZ_SEED and FUZZ_CASES=<n> explore further. Inputs are
 * derived from the shipped files, so reproduce a case against the same checkout.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isNode, isPair, isScalar, isSeq, parseDocument, Scalar, YAMLMap, YAMLSeq, type Document, type Pair } from 'yaml';
import { compileSource, type CompileResult } from '../../pathway/compiler/compile.ts';
import { loadContent } from '../../pathway/compiler/content.ts';
import { RULES } from '../../pathway/compiler/rules.ts';
import { loadVocabulary } from '../../pathway/compiler/vocabulary.ts';
import { REPO } from './helpers.ts';

const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed_c0de) >>> 0;
const CASES = Number(process.env['FUZZ_CASES'] ?? 2_000);
const ONLY = process.env['FUZZ_CASE'] === undefined ? undefined : Number(process.env['FUZZ_CASE']);
/** Generous: the machine running the tests may be loaded; a typical case takes a few milliseconds. */
const PER_CASE_MS = 5_000;
const TOTAL_MS = 120_000;
const MAX_MESSAGE = 2_000;
/** Share of cases that mutate a whole shipped file (slower to compile) rather than a slice of it. */
const WHOLE_SHARE = 0.2;

// ---------------------------------------------------------------- seeded randomness

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number, index: number) {
    this.next = mulberry32(seed ^ Math.imul(index + 1, 0x9e3779b1));
    this.next();
  }
  /** 0 ≤ n < max. */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  /** lo ≤ n ≤ hi. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
}

// ---------------------------------------------------------------- the shipped pathways

interface Base {
  name: string;
  text: string;
  doc: Document;
  /** The document without its steps, and the step nodes: a slice clones only what it keeps. */
  skeleton: Document;
  stepNodes: unknown[];
  /** Step ids by index, and for each step the indexes of the other steps its text names. */
  ids: string[];
  mentions: number[][];
}

const PATHWAYS = `${REPO}pathways/`;
const env = { vocabulary: loadVocabulary(), content: loadContent(`${PATHWAYS}content`) };

function loadBases(): Base[] {
  const files = readdirSync(PATHWAYS, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split('\\').join('/'))
    .filter((f) => f.endsWith('.yaml') && !f.startsWith('content/'))
    .sort();
  return files.map((name) => {
    const text = readFileSync(`${PATHWAYS}${name}`, 'utf8');
    const doc = parseDocument(text);
    const steps = (doc.toJS() as { steps?: unknown } | null)?.steps;
    const list = Array.isArray(steps) ? (steps as Record<string, unknown>[]) : [];
    const ids = list.map((s) => (typeof s?.['id'] === 'string' ? s['id'] : ''));
    const mentions = list.map((s, i) => {
      const words = new Set(JSON.stringify(s).match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
      return ids.flatMap((id, j) => (j !== i && id && words.has(id) ? [j] : []));
    });
    const skeleton = doc.clone();
    const seq = skeleton.get('steps', true);
    if (isSeq(seq)) seq.items = [];
    const all = doc.get('steps', true);
    return { name, text, doc, skeleton, stepNodes: isSeq(all) ? all.items : [], ids, mentions };
  });
}

/** The header and a few steps, with the steps they name, and events triggering only steps kept. */
function slice(base: Base, rng: Rng): { doc: Document; label: string } {
  const n = base.stepNodes.length;
  const doc = base.skeleton.clone();
  const steps = doc.get('steps', true);
  if (!isSeq(steps) || n === 0) return { doc: base.doc.clone(), label: 'whole' };
  const keep = new Set<number>();
  const start = rng.int(n);
  const want = rng.range(1, 6);
  for (let k = 0; k < want; k++) keep.add(rng.chance(0.5) ? (start + k) % n : rng.int(n));
  const queue = [...keep];
  while (queue.length) {
    for (const j of base.mentions[queue.pop()!] ?? [])
      if (!keep.has(j)) {
        keep.add(j);
        queue.push(j);
      }
  }
  steps.items = base.stepNodes.flatMap((node, i) => (keep.has(i) ? [isNode(node) ? node.clone() : node] : []));
  const kept = new Set([...keep].map((i) => base.ids[i]));
  const events = doc.get('events', true);
  if (isMap(events)) {
    for (const pair of events.items) {
      if (!isMap(pair.value)) continue;
      const triggers = pair.value.get('triggers', true);
      if (!isSeq(triggers)) continue;
      triggers.items = triggers.items.filter((t) => isScalar(t) && kept.has(String(t.value)));
      if (triggers.items.length === 0) pair.value.delete('triggers');
    }
  }
  return { doc, label: `slice of ${keep.size}/${n} steps` };
}

// ---------------------------------------------------------------- values of every sort

const huge = (rng: Rng): string =>
  rng.pick(['x', '9', '汉', 'a b ', '{{ name }} ', '\\', 'enrolled_on + 1d ', '(', 'é\u0301']).repeat(100_000).slice(0, 100_000);

const DURATIONS = [
  '-3d',
  '99999w',
  '0d',
  '0min',
  '1w1w',
  `${'9'.repeat(400)}w`,
  '3 d',
  '3D',
  '1.5d',
  '+3d',
  'P3D',
  '13w6d',
  '99999999999999999999min',
  'd',
  '7',
];
const DATES = ['2027-02-30', '2027-13-01', '0000-01-01', '9999-12-31', '2024-02-29', '2027-02-06T25:61:00Z', '2027-2-6', '+275760-09-13'];
const CLOCKS = ['24:00', '9:00', '23:59', '-01:00', '99:99', '00:00', '12:00:00'];
const NAMES = [
  '',
  ' ',
  'Trigger',
  'now',
  'trigger',
  'score',
  'items',
  'patient',
  'a'.repeat(300),
  'é',
  '1abc',
  'a-b',
  'a.b',
  '__proto__',
  'constructor',
  'toString',
];
const EXPRESSIONS = [
  'score >',
  'true',
  '1',
  'items.q99 > 0',
  'value < 3.0 ||',
  "'a' + 1",
  'score / 0 > 1',
  'band == "x"',
  'now > 1',
  'a.b.c.d',
  '!',
  'score >= 10 &&',
];
const SNIPPETS = [
  '!!float .nan',
  '.nan',
  '-.inf',
  '.inf',
  '!!binary aGVsbG8=',
  '!!set {a, b}',
  '!!omap [a: 1]',
  '!!timestamp 2001-12-14',
  '!!str 1',
  '!!int 0x1F',
  '0o17',
  '1_000',
  '+12',
  '.5',
  '1e400',
  '-1e400',
  '~',
  '!!null ~',
  '!custom value',
  '!<tag:yaml.org,2002:str> 3d',
  '[[[[[[]]]]]]',
  '{? [a]: b}',
  '"\\0\\x01\\ud800"',
  '|-\n  two\n  lines',
];

function timeRef(doc: Document, rng: Rng): string {
  const anchorMap = doc.get('anchors', true);
  const stepSeq = doc.get('steps', true);
  const anchors = isMap(anchorMap) ? anchorMap.items.map((p) => String(isScalar(p.key) ? p.key.value : 'lmp')) : [];
  const steps = isSeq(stepSeq) ? stepSeq.items.map((s) => String(isMap(s) ? s.get('id') : 'x')) : [];
  const name = rng.chance(0.6)
    ? rng.pick(anchors.length ? anchors : ['lmp'])
    : `${rng.pick(steps.length ? steps : ['x'])}.${rng.pick(['done', 'appointment_at', 'nope'])}`;
  return rng.pick([
    `${name} + ${rng.pick(DURATIONS)}`,
    `${name} - ${rng.pick(DURATIONS)}`,
    name,
    'trigger',
    'trigger.done',
    'trigger + 30min',
    `${name} +`,
    `${name} ++ 3d`,
    `${name} + 3d + 4d - 99999w`,
  ]);
}

/** A replacement value: a node of the document's schema, and what it is. */
function randomValue(doc: Document, rng: Rng): { value: unknown; label: string } {
  const node = (value: unknown) => doc.createNode(value);
  switch (rng.int(13)) {
    case 0: {
      const n = rng.pick([0, -1, 1, 42, -3, 2 ** 31, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, 5e-324, 0.5, -0, 1e21, 1001]);
      return { value: node(n), label: `number ${n}` };
    }
    case 1: {
      const n = rng.pick([NaN, Infinity, -Infinity]);
      return { value: node(n), label: String(n) };
    }
    case 2:
      return rng.chance(0.5) ? { value: node(null), label: 'null' } : { value: node(rng.chance(0.5)), label: 'boolean' };
    case 3:
      return rng.pick([
        { value: node([]), label: 'empty list' },
        { value: node([1, 'a', null]), label: 'mixed list' },
        { value: node(Array.from({ length: 2_000 }, (_, i) => `x${i}`)), label: 'list of 2000 strings' },
      ]);
    case 4:
      return rng.pick([
        { value: node({}), label: 'empty map' },
        { value: node({ a: 1 }), label: 'map {a: 1}' },
        { value: node({ id: 'x', kind: 'message', timing: { at: 'nope' } }), label: 'step-like map' },
      ]);
    case 5:
      return { value: node(huge(rng)), label: '100k-char string' };
    case 6: {
      const d = rng.pick(DURATIONS);
      return { value: node(d), label: `duration ${d.slice(0, 20)}` };
    }
    case 7: {
      const d = rng.pick(DATES);
      return rng.chance(0.8) ? { value: node(d), label: `date ${d}` } : { value: node(new Date(rng.pick([0, 8.64e15, -8.64e15]))), label: 'Date object' };
    }
    case 8: {
      const t = rng.chance(0.5) ? timeRef(doc, rng) : rng.pick(CLOCKS);
      return { value: node(t), label: `'${t.slice(0, 40)}'` };
    }
    case 9: {
      const t = rng.chance(0.5) ? rng.pick(NAMES) : rng.pick(EXPRESSIONS);
      return { value: node(t), label: `'${t.slice(0, 40)}'` };
    }
    case 10: {
      const s = rng.pick(SNIPPETS);
      const parsed = parseDocument(s);
      return { value: parsed.contents, label: `snippet ${JSON.stringify(s)}` };
    }
    case 11: {
      const slots = slotsOf(doc);
      if (!slots.length) return { value: node(null), label: 'null' };
      const from = rng.pick(slots);
      const v = valueOf(from);
      return { value: isNode(v) ? v.clone() : v, label: `copy of ${from.path}` };
    }
    default: {
      const s = String(rng.pick([...'\0\t\r\n\ud800\udfff\ufeff\u2028\u202e"\'#:-[]{}&*!|>%@`']).repeat(rng.range(1, 5)));
      return { value: node(`${s}x${s}`), label: `odd string ${JSON.stringify(s)}` };
    }
  }
}

// ---------------------------------------------------------------- structural mutations

interface Slot {
  parent: YAMLMap | YAMLSeq;
  index: number;
  path: string;
}

function slotsOf(doc: Document): Slot[] {
  const out: Slot[] = [];
  const walk = (node: unknown, path: string, depth: number) => {
    if (depth > 50) return;
    if (isMap(node)) {
      node.items.forEach((pair, index) => {
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        out.push({ parent: node, index, path: `${path}.${key}` });
        walk(pair.value, `${path}.${key}`, depth + 1);
      });
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        out.push({ parent: node, index, path: `${path}[${index}]` });
        walk(item, `${path}[${index}]`, depth + 1);
      });
    }
  };
  walk(doc.contents, '', 0);
  return out;
}

function valueOf(slot: Slot): unknown {
  return isMap(slot.parent) ? (slot.parent.items[slot.index] as Pair).value : slot.parent.items[slot.index];
}

function setValue(slot: Slot, value: unknown): void {
  if (isMap(slot.parent)) (slot.parent.items[slot.index] as Pair).value = value;
  else slot.parent.items[slot.index] = value;
}

const REQUIRED = new Set(['pathway', 'version', 'title', 'program', 'anchors', 'span', 'start', 'end', 'steps', 'id', 'kind', 'timing', 'at', 'template']);
const REQUIRED_MORE = new Set(['channels', 'role', 'questionnaire', 'metric', 'type', 'if', 'triggers', 'from', 'until', 'limits', 'quota', 'per', 'date']);

function keyName(slot: Slot): string | undefined {
  if (!isMap(slot.parent)) return undefined;
  const key = (slot.parent.items[slot.index] as Pair).key;
  return isScalar(key) ? String(key.value) : undefined;
}

function renamed(key: string, doc: Document, rng: Rng): unknown {
  const i = rng.int(Math.max(1, key.length));
  switch (rng.int(9)) {
    case 0:
      return key.slice(0, i) + key.slice(i + 1);
    case 1:
      return key.slice(0, i) + (key[i + 1] ?? '') + (key[i] ?? '') + key.slice(i + 2);
    case 2:
      return key.toUpperCase();
    case 3:
      return `${key}_x`;
    case 4: {
      const keys = slotsOf(doc).flatMap((s) => keyName(s) ?? []);
      return rng.pick(keys.length ? keys : ['id']);
    }
    case 5:
      return rng.pick(['', ' ', '<<', '? x', '0', 'id', 'kind', 'timing', 'steps', '__proto__', 'constructor', '~']);
    case 6:
      return rng.pick([null, 1, -1, true, 1.5]);
    case 7:
      return 'k'.repeat(rng.pick([1_025, 5_000]));
    default:
      return `${key}\0`;
  }
}

type StructuralOp = (doc: Document, rng: Rng) => string;

const STRUCTURAL: Record<string, StructuralOp> = {
  replace(doc, rng) {
    const slots = slotsOf(doc);
    if (!slots.length) return 'replace: no node';
    const slot = rng.pick(slots);
    const { value, label } = randomValue(doc, rng);
    setValue(slot, value);
    return `replace ${slot.path} with ${label}`;
  },
  rename(doc, rng) {
    const slots = slotsOf(doc).filter((s) => keyName(s) !== undefined);
    if (!slots.length) return 'rename: no key';
    const slot = rng.pick(slots);
    const key = renamed(keyName(slot)!, doc, rng);
    (slot.parent.items[slot.index] as Pair).key = doc.createNode(key);
    return `rename ${slot.path} to ${JSON.stringify(key)?.slice(0, 40)}`;
  },
  drop(doc, rng) {
    const all = slotsOf(doc);
    const preferred = rng.chance(0.7) ? all.filter((s) => REQUIRED.has(keyName(s) ?? '')) : all.filter((s) => REQUIRED_MORE.has(keyName(s) ?? ''));
    const slots = preferred.length ? preferred : all;
    if (!slots.length) return 'drop: no node';
    const slot = rng.pick(slots);
    slot.parent.items.splice(slot.index, 1);
    return `drop ${slot.path}`;
  },
  duplicate(doc, rng) {
    const slots = slotsOf(doc);
    if (!slots.length) return 'duplicate: no node';
    const slot = rng.pick(slots);
    const item = slot.parent.items[slot.index];
    const copy = isNode(item) || isPair(item) ? item.clone() : item;
    slot.parent.items.splice(slot.index + rng.int(2), 0, copy as Pair & never);
    return `duplicate ${slot.path}`;
  },
  /** Many copies of a list item (a step, a rule, a channel), ids made unique: tests scale, not just shape. */
  multiply(doc, rng) {
    const slots = slotsOf(doc).filter((s) => isSeq(s.parent));
    if (!slots.length) return 'multiply: no list item';
    const slot = rng.pick(slots);
    const item = slot.parent.items[slot.index];
    const copies = rng.range(20, 400);
    const made = Array.from({ length: copies }, (_, k) => {
      const copy = isNode(item) ? item.clone() : item;
      if (isMap(copy) && isScalar(copy.get('id', true))) copy.set('id', `${String(copy.get('id'))}_${k}`);
      return copy;
    });
    (slot.parent as YAMLSeq).items.splice(slot.index + 1, 0, ...made);
    return `multiply ${slot.path} × ${copies}`;
  },
  swap(doc, rng) {
    const slots = slotsOf(doc);
    if (slots.length < 2) return 'swap: too few nodes';
    const a = rng.pick(slots);
    const b = rng.pick(slots);
    const va = valueOf(a);
    const vb = valueOf(b);
    // Swapping a node with one inside it would make a cycle of nodes; copy instead.
    setValue(a, isNode(vb) ? vb.clone() : vb);
    setValue(b, isNode(va) ? va.clone() : va);
    return `swap ${a.path} and ${b.path}`;
  },
  wrap(doc, rng) {
    const slots = slotsOf(doc);
    if (!slots.length) return 'wrap: no node';
    const slot = rng.pick(slots);
    const value = valueOf(slot);
    const list = rng.chance(0.5);
    const wrapper = list ? new YAMLSeq() : new YAMLMap();
    if (wrapper instanceof YAMLSeq) wrapper.items.push(value);
    else wrapper.set(new Scalar('value'), value);
    setValue(slot, wrapper);
    return `wrap ${slot.path} in a ${list ? 'list' : 'map'}`;
  },
  alias(doc, rng) {
    const slots = slotsOf(doc).filter((s) => {
      const v = valueOf(s);
      return isScalar(v) || isMap(v) || isSeq(v);
    });
    if (slots.length < 2) return 'alias: too few nodes';
    const target = rng.pick(slots);
    const at = rng.pick(slots);
    const node = valueOf(target) as Scalar | YAMLMap | YAMLSeq;
    setValue(at, doc.createAlias(node, rng.pick(['a', 'fz', 'x'.repeat(200)])));
    return `alias ${at.path} to ${target.path}`;
  },
};

// ---------------------------------------------------------------- text mutations

const ODD = [
  '\0',
  '\ud800',
  '\udfff',
  '\t',
  '\r',
  '\ufeff',
  '\u2028',
  '\u0085',
  '\u00a0',
  '\x7f',
  '\x1b',
  '&a ',
  '*a',
  '*a ',
  '!!str ',
  '!!binary ',
  '!!map ',
  '!!seq ',
  '!!python/object:os.system ',
  '!custom ',
  '<<: *a\n',
  '? ',
  ': ',
  '- ',
  '#',
  '"',
  "'",
  '`',
  '@',
  '%',
  '|',
  '>',
  '{',
  '}',
  '[',
  ']',
  ',',
  '&',
  '*',
  '!',
  '\\',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '{{ name }}',
  '\u202e',
];
const TAGS = ['!!str', '!!int', '!!float', '!!bool', '!!null', '!!binary', '!!timestamp', '!!set', '!!omap', '!!map', '!!seq', '!local', '!<tag:x>', '!!'];

/** Line indexes of `key: value` lines (in block style, possibly a list item). */
function keyValueLines(lines: string[]): number[] {
  return lines.flatMap((l, i) => (/^\s*(?:- )?[A-Za-z_][\w-]*:\s+[^\s#&*!|>]/.test(l) ? [i] : []));
}

function withValue(line: string, value: string): string {
  return line.replace(/^(\s*(?:- )?[A-Za-z_][\w-]*:\s+).*$/, (_, head: string) => head + value);
}

function deep(rng: Rng): { text: string; label: string } {
  const d = rng.range(500, 4_000);
  const style = rng.int(4);
  if (style === 0) return { text: '['.repeat(d) + ']'.repeat(d), label: `[ ${d} deep` };
  if (style === 1) return { text: '{a: '.repeat(d) + '1' + '}'.repeat(d), label: `{a: ${d} deep` };
  if (style === 2) return { text: '[{a: '.repeat(d) + '1' + '}]'.repeat(d), label: `[{a: ${d} deep` };
  return { text: '['.repeat(d), label: `[ ${d} deep, unclosed` };
}

type TextOp = (text: string, rng: Rng) => { text: string; label: string };

const TEXT: Record<string, TextOp> = {
  deleteLines(text, rng) {
    const lines = text.split('\n');
    const at = rng.int(lines.length);
    const n = rng.range(1, 5);
    lines.splice(at, n);
    return { text: lines.join('\n'), label: `delete ${n} lines at ${at + 1}` };
  },
  duplicateLines(text, rng) {
    const lines = text.split('\n');
    const at = rng.int(lines.length);
    const n = rng.range(1, 5);
    const to = rng.chance(0.5) ? at : rng.int(lines.length);
    lines.splice(to, 0, ...lines.slice(at, at + n));
    return { text: lines.join('\n'), label: `copy ${n} lines from ${at + 1} to ${to + 1}` };
  },
  swapLines(text, rng) {
    const lines = text.split('\n');
    const a = rng.int(lines.length);
    const b = rng.int(lines.length);
    [lines[a], lines[b]] = [lines[b]!, lines[a]!];
    return { text: lines.join('\n'), label: `swap lines ${a + 1} and ${b + 1}` };
  },
  reindent(text, rng) {
    const lines = text.split('\n');
    const at = rng.int(lines.length);
    const n = rng.chance(0.6) ? 1 : rng.range(2, 30);
    const how = rng.pick(['+1', '+2', '+4', '-1', '-2', 'tab', 'flush']);
    for (let i = at; i < Math.min(lines.length, at + n); i++) {
      const l = lines[i]!;
      if (how.startsWith('+')) lines[i] = ' '.repeat(Number(how.slice(1))) + l;
      else if (how.startsWith('-')) lines[i] = l.replace(new RegExp(`^ {0,${how.slice(1)}}`), '');
      else if (how === 'tab') lines[i] = l.replace(/^ {1,2}/, '\t');
      else lines[i] = l.trimStart();
    }
    return { text: lines.join('\n'), label: `indent ${how} on ${n} lines at ${at + 1}` };
  },
  insertBytes(text, rng) {
    const at = rng.int(text.length + 1);
    const n = rng.range(1, 16);
    const bytes = Array.from({ length: n }, () => String.fromCharCode(rng.chance(0.8) ? rng.int(256) : rng.int(65_536))).join('');
    return { text: text.slice(0, at) + bytes + text.slice(at), label: `insert ${JSON.stringify(bytes)} at ${at}` };
  },
  insertOdd(text, rng) {
    const at = rng.int(text.length + 1);
    const odd = rng.pick(ODD);
    return { text: text.slice(0, at) + odd + text.slice(at), label: `insert ${JSON.stringify(odd)} at ${at}` };
  },
  anchorAlias(text, rng) {
    const lines = text.split('\n');
    const kv = keyValueLines(lines);
    if (kv.length < 2) return { text, label: 'anchor: no key-value lines' };
    const a = rng.pick(kv);
    const b = rng.pick(kv);
    const anchorLine = lines[a]!.replace(/:\s+/, ': &a ');
    lines[a] = anchorLine;
    if (rng.chance(0.2)) lines[b] = withValue(lines[b]!, '*nope');
    else lines[b] = withValue(lines[b]!, '*a');
    return { text: lines.join('\n'), label: `anchor &a on line ${a + 1}, alias on line ${b + 1}` };
  },
  aliasBomb(text, rng) {
    const levels = rng.range(3, 9);
    let bomb = 'lol0: &l0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < levels; i++)
      bomb += `lol${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]\n`;
    return { text: bomb + text, label: `alias bomb of ${levels} levels` };
  },
  tag(text, rng) {
    const lines = text.split('\n');
    const kv = keyValueLines(lines);
    if (!kv.length) return { text, label: 'tag: no key-value lines' };
    const at = rng.pick(kv);
    const tag = rng.pick(TAGS);
    lines[at] = lines[at]!.replace(/:\s+/, `: ${tag} `);
    return { text: lines.join('\n'), label: `tag ${tag} on line ${at + 1}` };
  },
  mergeKey(text, rng) {
    const lines = text.split('\n');
    const items = lines.flatMap((l, i) => (/^\s*- id: /.test(l) ? [i] : []));
    const at = items.length ? rng.pick(items) : rng.int(lines.length);
    const indent = ' '.repeat((/^(\s*)/.exec(lines[at] ?? '')?.[1]?.length ?? 0) + 2);
    const merge = rng.pick([`${indent}<<: *base`, `${indent}<<: { title: merged }`, `${indent}<<: [*base, *base]`, `${indent}<<: 1`]);
    lines.splice(at + 1, 0, merge);
    const withAnchor = rng.chance(0.7) ? `base: &base { title: base, kind: message }\n${lines.join('\n')}` : lines.join('\n');
    return { text: withAnchor, label: `merge key ${JSON.stringify(merge.trim())} after line ${at + 1}` };
  },
  longScalar(text, rng) {
    const lines = text.split('\n');
    const kv = keyValueLines(lines);
    const at = kv.length ? rng.pick(kv) : 0;
    const value = huge(rng);
    const style = rng.int(5);
    if (style === 0) lines[at] = withValue(lines[at] ?? '', value);
    else if (style === 1) lines[at] = withValue(lines[at] ?? '', JSON.stringify(value));
    else if (style === 2) lines[at] = withValue(lines[at] ?? '', `|\n${value.replace(/(.{80})/g, '  $1\n')}`);
    else if (style === 3) lines.splice(at, 0, `# ${value}`);
    else lines.splice(at, 0, `${value.replace(/\s/g, 'k')}: 1`);
    return { text: lines.join('\n'), label: `100k-char ${['plain', 'quoted', 'block', 'comment', 'key'][style]} on line ${at + 1}` };
  },
  deepFlow(text, rng) {
    const lines = text.split('\n');
    const kv = keyValueLines(lines);
    const { text: nested, label } = deep(rng);
    if (!kv.length || rng.chance(0.1)) return { text: nested, label: `whole file ${label}` };
    const at = rng.pick(kv);
    lines[at] = withValue(lines[at]!, nested);
    return { text: lines.join('\n'), label: `${label} on line ${at + 1}` };
  },
  deepBlock(text, rng) {
    const d = rng.range(100, 600);
    const seq = rng.chance(0.5);
    let block = 'deep:\n';
    for (let i = 1; i <= d; i++) block += seq ? `${' '.repeat(i)}-\n` : `${' '.repeat(i)}k${i}:\n`;
    return { text: `${text}\n${block}`, label: `block ${seq ? 'lists' : 'maps'} ${d} deep` };
  },
  truncate(text, rng) {
    const at = rng.int(text.length + 1);
    return { text: text.slice(0, at), label: `truncate at ${at}` };
  },
  lineEnds(text, rng) {
    const how = rng.int(4);
    if (how === 0) return { text: text.replace(/\n/g, '\r\n'), label: 'CRLF line ends' };
    if (how === 1) return { text: text.replace(/\n/g, '\r'), label: 'CR line ends' };
    if (how === 2) return { text: `\ufeff${text}`, label: 'byte order mark' };
    return { text: `%YAML 1.1\n---\n${text}`, label: 'YAML 1.1 directive' };
  },
  documents(text, rng) {
    const extra = rng.pick(['\n---\nfoo: 1\n', '\n---\n', '\n...\n', '\n--- !!str\n']);
    return { text: rng.chance(0.5) ? text + extra : extra + text, label: `document marker ${JSON.stringify(extra)}` };
  },
};

// ---------------------------------------------------------------- cases

interface Case {
  index: number;
  file: string;
  text: string;
  ops: string[];
}

function makeCase(bases: Base[], index: number): Case {
  const rng = new Rng(SEED, index);
  const base = rng.pick(bases);
  const ops: string[] = [];
  let doc: Document | undefined;
  if (!rng.chance(WHOLE_SHARE)) {
    const sliced = slice(base, rng);
    doc = sliced.doc;
    ops.push(sliced.label);
  } else ops.push('whole');
  let structural = rng.int(3);
  let textual = rng.int(3);
  if (structural + textual === 0) {
    if (rng.chance(0.5)) structural = 1;
    else textual = 1;
  }
  const names = Object.keys(STRUCTURAL);
  for (let k = 0; k < structural; k++) {
    doc ??= base.doc.clone();
    const name = rng.pick(names);
    ops.push(STRUCTURAL[name]!(doc, rng));
  }
  let text = base.text;
  if (doc) {
    try {
      text = doc.toString();
    } catch (e) {
      ops.push(`(could not stringify: ${String(e).slice(0, 80)}; whole file kept)`);
    }
  }
  const textNames = Object.keys(TEXT);
  for (let k = 0; k < textual; k++) {
    const result = TEXT[rng.pick(textNames)]!(text, rng);
    text = result.text;
    ops.push(result.label);
  }
  return { index, file: base.name, text, ops };
}

/** What is wrong with a compile result, if anything. */
function problems(c: Case, result: CompileResult): string[] {
  const out: string[] = [];
  const { compiled, diagnostics } = result;
  if (!Array.isArray(diagnostics)) return ['diagnostics is not a list'];
  if (compiled) {
    if (diagnostics.length) out.push(`compiled, yet ${diagnostics.length} diagnostics`);
    if (!/^[0-9a-f]{64}$/.test(compiled.hash)) out.push(`compiled pathway hash ${JSON.stringify(compiled.hash)}`);
    if (!isDeepStrictJson(compiled)) out.push('compiled pathway is not plain JSON (a non-finite number, undefined or a non-plain object)');
  } else if (diagnostics.length === 0) out.push('neither a compiled pathway nor diagnostics');
  const lines = c.text.split('\n');
  for (const d of diagnostics) {
    const at = `${d.line}:${d.col} [${d.rule}] ${String(d.message).slice(0, 120)}`;
    if (d.file !== c.file) out.push(`diagnostic file ${JSON.stringify(d.file)}: ${at}`);
    if (!Number.isInteger(d.line) || d.line < 1 || d.line > lines.length) out.push(`line outside the text (${lines.length} lines): ${at}`);
    else if (!Number.isInteger(d.col) || d.col < 1 || d.col > lines[d.line - 1]!.length + 1) out.push(`column outside line ${d.line}: ${at}`);
    if (typeof d.rule !== 'string' || !(d.rule in RULES)) out.push(`unknown rule: ${at}`);
    if (typeof d.message !== 'string' || d.message.trim() === '') out.push(`empty message: ${at}`);
    else if (d.message.length >= MAX_MESSAGE) out.push(`message of ${d.message.length} chars: ${at}`);
  }
  return out;
}

/** True when the value survives JSON unchanged: plain objects, arrays, strings, booleans, null, finite numbers. */
function isDeepStrictJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isDeepStrictJson);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(isDeepStrictJson);
  return false;
}

interface Failure {
  index: number;
  file: string;
  ops: string[];
  problem: string;
}

const describeCase = (c: { index: number; file: string; ops: string[] }) => `#${c.index} ${c.file}: ${c.ops.join('; ')}`;

describe(`compiler fuzz (seed ${SEED}, ${ONLY === undefined ? `${CASES} cases` : `case ${ONLY}`})`, () => {
  it(
    'never throws, answers in time, and gives a compiled pathway or located diagnostics',
    () => {
      const bases = loadBases();
      expect(bases.length).toBeGreaterThan(0);
      // Warm up (ajv compiles the schema on first use) so that the first case is not charged for it.
      for (const b of bases) compileSource(b.name, b.text, env);

      const failures: Failure[] = [];
      const rules = new Set<string>();
      let compiledCount = 0;
      let slowest = { ms: 0, label: '' };
      const started = performance.now();
      const indexes = ONLY === undefined ? Array.from({ length: CASES }, (_, i) => i) : [ONLY];
      let generating = 0;
      for (const index of indexes) {
        const g0 = performance.now();
        const c = makeCase(bases, index);
        const t0 = performance.now();
        generating += t0 - g0;
        let result: CompileResult | undefined;
        try {
          result = compileSource(c.file, c.text, env);
        } catch (e) {
          failures.push({ ...c, problem: `threw ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`.slice(0, 1_500) });
        }
        const ms = performance.now() - t0;
        (globalThis as any).__prof ??= [];
        (globalThis as any).__prof.push([t0 - g0, ms, c.ops.join('; ').slice(0, 150), c.text.length]);
        if (ms > slowest.ms) slowest = { ms, label: describeCase(c) };
        if (ms > PER_CASE_MS) failures.push({ ...c, problem: `took ${ms.toFixed(0)} ms (limit ${PER_CASE_MS} ms)` });
        if (result) {
          for (const problem of problems(c, result)) failures.push({ ...c, problem });
          if (result.compiled) compiledCount++;
          for (const d of result.diagnostics) rules.add(d.rule);
        }
        if (ONLY !== undefined) {
          const path = join(tmpdir(), `compiler-fuzz-${SEED}-${index}.yaml`);
          writeFileSync(path, c.text);
          console.log(`${describeCase(c)}\ninput (${c.text.length} chars): ${path}\n${result ? JSON.stringify(result.diagnostics.slice(0, 20), null, 1) : ''}`);
        }
      }
      const total = (performance.now() - started) / 1000;
      console.log(
        `compiler fuzz: ${indexes.length} cases (seed ${SEED}) in ${total.toFixed(1)} s (${(generating / 1000).toFixed(1)} s making inputs); ${compiledCount} compiled, ${indexes.length - compiledCount} with diagnostics; ` +
          `${rules.size} of ${Object.keys(RULES).length} rules seen; slowest ${slowest.ms.toFixed(0)} ms: ${slowest.label.slice(0, 300)}`,
      );
      const prof = (globalThis as any).__prof as [number, number, string, number][];
      const sum = (f: (p: [number, number, string, number]) => boolean) => {
        const x = prof.filter(f);
        return `${x.length} gen ${x.reduce((a, p) => a + p[0], 0).toFixed(0)} comp ${x.reduce((a, p) => a + p[1], 0).toFixed(0)}`;
      };
      console.log(
        'whole',
        sum((p) => p[2].startsWith('whole')),
        'slice',
        sum((p) => !p[2].startsWith('whole')),
      );
      for (const p of [...prof].sort((a, b) => b[0] + b[1] - a[0] - a[1]).slice(0, 25)) console.log(p[0].toFixed(0), p[1].toFixed(0), p[3], p[2]);
      const report = failures
        .slice(0, 20)
        .map(
          (f) => `${describeCase(f)}\n  ${f.problem}\n  reproduce: FUZZ_SEED=${SEED} FUZZ_CASE=${f.index} npx vitest run tests/pathway/compiler-fuzz.test.ts`,
        );
      expect(report, `${failures.length} failures`).toEqual([]);
    },
    TOTAL_MS,
  );
});

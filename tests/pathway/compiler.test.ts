/** The compiled pathway: deterministic, hashed, compact, with defaults and references resolved. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalize, contentHash } from '../../pathway/compiler/canonical.ts';
import { compileSource } from '../../pathway/compiler/compile.ts';
import { loadContent } from '../../pathway/compiler/content.ts';
import { formatDuration, parseDuration } from '../../pathway/planner/duration.ts';
import { parseTimeRef } from '../../pathway/compiler/timeref.ts';
import { resolveTimezone } from '../../pathway/compiler/timezone.ts';
import { loadVocabulary } from '../../pathway/compiler/vocabulary.ts';
import { compiled, FIXTURES } from './helpers.ts';

const env = () => ({ vocabulary: loadVocabulary(), content: loadContent(`${FIXTURES}content`) });

describe('compiled pathway', () => {
  const pregnancy = compiled('valid/pregnancy.yaml');

  it('carries id, version and a sha256 of its canonical JSON', () => {
    expect(pregnancy.id).toBe('obstetrics.pregnancy-demo');
    expect(pregnancy.version).toBe('1.0.0');
    const { hash, ...rest } = pregnancy;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash(rest)).toBe(hash);
  });

  it('is deterministic: same text, same JSON byte for byte, keys sorted', () => {
    const again = compiled('valid/pregnancy.yaml');
    expect(JSON.stringify(again)).toBe(JSON.stringify(pregnancy));
    expect(JSON.stringify(canonicalize(pregnancy))).toBe(JSON.stringify(pregnancy));
  });

  it('changes hash when the pathway changes, not when only comments change', () => {
    const text = readFileSync(`${FIXTURES}valid/pregnancy.yaml`, 'utf8');
    const commented = compileSource('a.yaml', `# a new comment\n${text}`, env()).compiled!;
    const edited = compileSource('b.yaml', text.replace('sla: 2d', 'sla: 3d'), env()).compiled!;
    expect(commented.hash).toBe(pregnancy.hash);
    expect(edited.hash).not.toBe(pregnancy.hash);
  });

  it('is plain, compact JSON', () => {
    const json = JSON.stringify(pregnancy);
    expect(JSON.parse(json)).toEqual(pregnancy);
    expect(json.length).toBeLessThan(32 * 1024);
  });

  it('fills defaults: time zone offset, quiet hours, default time, locale', () => {
    const ivf = compiled('valid/ivf.yaml');
    expect(ivf.timezone).toEqual({ name: 'Asia/Shanghai', offsetMinutes: 480 });
    expect(ivf.quietHours).toEqual({ start: 21 * 60, end: 8 * 60 });
    expect(ivf.defaultTime).toBe(9 * 60);
    expect(ivf.locale).toBe('zh-CN');
  });

  it('resolves time references into structured offsets', () => {
    const step = (id: string) => pregnancy.steps.find((s) => s.id === id)!;
    expect(pregnancy.anchors['edd']!.derive).toEqual({ base: 'anchor', anchor: 'lmp', offset: 280 * 1440, dateOnly: true });
    expect(pregnancy.anchors['delivery']!.setBy).toBe('delivered');
    expect(step('book_nt').timing.latest).toEqual({ base: 'anchor', anchor: 'lmp', offset: (13 * 7 + 6) * 1440, dateOnly: true });
    expect(step('nt_notice').timing.at).toEqual({ base: 'data', step: 'book_nt', field: 'appointment_at', offset: -1440, dateOnly: false });
    expect(step('nt_notice').origin).toEqual({ type: 'dependent', source: 'book_nt' });
    expect(step('epds_clinician_call').origin).toEqual({ type: 'trigger' });
    expect(step('education').timing).toMatchObject({ every: 4 * 7 * 1440, time: 20 * 60 + 30, stopOn: ['delivered'] });
  });

  it('derives urgency and keeps escalation chains and SLAs in minutes', () => {
    const ivf = compiled('valid/ivf.yaml');
    const confirm = ivf.steps.find((s) => s.id === 'trigger_confirm')!;
    expect(confirm).toMatchObject({
      kind: 'task',
      urgency: 'urgent',
      sla: 30,
      escalate: [{ after: 30, role: 'nurse', channels: ['phone'], urgency: 'urgent' }],
    });
    const escalation = pregnancy.steps.find((s) => s.id === 'bp_urgent')!;
    expect(escalation.urgency).toBe('urgent');
  });

  it('embeds questionnaire scoring but not its texts', () => {
    expect(pregnancy.questionnaires['epds']).toEqual({
      items: ['q1', 'q2', 'q3', 'q10'],
      bands: [
        { min: 0, max: 9, label: 'low' },
        { min: 10, max: 12, label: 'possible' },
        { min: 13, max: 30, label: 'probable' },
      ],
    });
    expect(JSON.stringify(pregnancy)).not.toContain('我想过要伤害自己');
  });

  it('records the variable types each expression reads', () => {
    const epds = pregnancy.steps.find((s) => s.id === 'epds_2w')!;
    expect(epds.kind === 'questionnaire' && epds.rules[0]!.if).toEqual({
      source: 'score >= 13 || items.q10 > 0',
      vars: { high_risk: 'bool', score: 'int', band: 'string', items: 'items' },
    });
  });
});

describe('calendar dates', () => {
  const holidays = compiled('valid/holidays.yaml');
  const text = readFileSync(`${FIXTURES}valid/holidays.yaml`, 'utf8');
  const rules = (source: string) => compileSource('c.yaml', source, env()).diagnostics.map((d) => `${d.line}:${d.col} ${d.rule}`);

  it('compiles each into a date anchor with a fixed value and its title', () => {
    expect(holidays.anchors['spring_festival_2027']).toEqual({ type: 'date', required: false, correctable: false, fixed: '2027-02-06', title: '春节' });
    expect(holidays.anchors['mid_autumn_2027']!.fixed).toBe('2027-09-15');
    expect(holidays.anchors['cycle_start']!.fixed).toBeUndefined();
    const greeting = holidays.steps.find((s) => s.id === 'greeting_spring_festival_2027')!;
    expect(greeting.timing).toMatchObject({
      at: { base: 'anchor', anchor: 'spring_festival_2027', offset: 0, dateOnly: true },
      latest: { base: 'anchor', anchor: 'spring_festival_2027', offset: 0, dateOnly: true },
      time: 600,
    });
    expect(greeting.origin).toEqual({ type: 'schedule' });
  });

  it('carries the dates in the hash, deterministically', () => {
    expect(JSON.stringify(compiled('valid/holidays.yaml'))).toBe(JSON.stringify(holidays));
    const moved = compileSource('m.yaml', text.replace('date: 2027-02-06', 'date: 2027-02-07'), env()).compiled!;
    expect(moved.anchors['spring_festival_2027']!.fixed).toBe('2027-02-07');
    expect(moved.hash).not.toBe(holidays.hash);
  });

  it('keeps pathways without a calendar exactly as before (no fixed anchors)', () => {
    expect(Object.values(compiled('valid/pregnancy.yaml').anchors).some((x) => 'fixed' in x)).toBe(false);
  });

  it('rejects a calendar date named like a step, and suggests calendar names for typos', () => {
    expect(rules(text.replace('  - id: baseline\n', '  - id: new_year_2027\n'))).toEqual(['9:3 calendar-clash']);
    const typo = compileSource('t.yaml', text.replace('at: mid_autumn_2027,', 'at: mid_autum_2027,'), env()).diagnostics;
    expect(typo.map((d) => [d.rule, d.message])).toEqual([['unknown-anchor', "unknown anchor 'mid_autum_2027' (did you mean 'mid_autumn_2027'?)"]]);
  });

  it('checks steps on calendar dates against the span when the span itself is on calendar dates', () => {
    const campaign = text
      .replace('  cycle_start: { type: date, required: true, title: 月经第1天 }\n', '  enrolled: { type: date }\n')
      .replace('age_display: { style: cycle-day, anchor: cycle_start }\n', '')
      .replace('span: { start: cycle_start, end: cycle_start + 70d }', 'span: { start: new_year_2027, end: spring_festival_2027 + 7d }')
      .replace('earliest: cycle_start + 1d, latest: cycle_start + 3d', 'earliest: new_year_2027 + 1d, latest: new_year_2027 + 3d')
      .replaceAll('earliest: cycle_start', 'earliest: new_year_2027');
    // Mid-Autumn (2027-09-15) is after the span's end (2027-02-13): its 'at' and 'latest' are reported.
    expect(rules(campaign)).toEqual(['51:19 offset-outside-span', '51:69 offset-outside-span']);
  });
});

describe('time reference syntax', () => {
  it('parses anchors, fields and summed offsets', () => {
    expect(parseTimeRef('lmp + 13w6d')).toEqual({ ok: true, ref: { name: 'lmp', nameCol: 0, offset: 97 * 1440, subDay: false } });
    expect(parseTimeRef('book.appointment_at - 24h')).toMatchObject({
      ok: true,
      ref: { name: 'book', field: 'appointment_at', fieldCol: 5, offset: -1440, subDay: true },
    });
    expect(parseTimeRef('trigger + 1d - 30min')).toMatchObject({ ok: true, ref: { offset: 1410, subDay: true } });
  });

  it('points at the offending column', () => {
    expect(parseTimeRef('lmp + 280')).toEqual({ ok: false, col: 6, message: expect.stringContaining('missing unit after 280') });
    expect(parseTimeRef('lmp 3d')).toMatchObject({ ok: false, col: 4 });
    expect(parseTimeRef('+ 3d')).toMatchObject({ ok: false, col: 0 });
  });

  it('round-trips durations', () => {
    for (const text of ['13w6d', '1d12h', '30min', '2d12h', '1w']) expect(formatDuration(parseDuration(text)!.minutes)).toBe(text);
    expect(parseDuration('3 days')).toBeNull();
  });
});

describe('time zones', () => {
  it('resolves fixed-offset zones and rejects DST zones', () => {
    expect(resolveTimezone('Asia/Shanghai')).toEqual({ ok: true, offsetMinutes: 480 });
    expect(resolveTimezone('Asia/Kolkata')).toEqual({ ok: true, offsetMinutes: 330 });
    expect(resolveTimezone('UTC')).toEqual({ ok: true, offsetMinutes: 0 });
    expect(resolveTimezone('America/New_York')).toMatchObject({ ok: false, rule: 'timezone-has-dst' });
    expect(resolveTimezone('Mars/Olympus')).toMatchObject({ ok: false, rule: 'unknown-timezone' });
  });
});

describe('compiler: input that must stay cheap', () => {
  it('answers a 1 MB unknown code in bounded time (no did-you-mean over a blob)', async () => {
    const { closest } = await import('../../pathway/compiler/suggest.ts');
    const blob = 'x'.repeat(1_000_000);
    const started = performance.now();
    expect(closest(blob, ['booking-visit', 'nt-scan', 'anomaly-scan'])).toBeUndefined();
    // Generous bound on a loaded machine; before the cut-off this took minutes.
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(closest('bokking-visit', ['booking-visit', 'nt-scan'])).toBe('booking-visit');
  });
});

describe('compiler: long values in messages', () => {
  it('quotes a pasted blob clipped, with its length, never whole', () => {
    const text = readFileSync(`${FIXTURES}valid/ivf.yaml`, 'utf8').replace('code: baseline-visit', `code: ${'y'.repeat(200_000)}`);
    const { diagnostics } = compileSource('ivf.yaml', text, env());
    const unknown = diagnostics.find((d) => d.rule === 'unknown-code');
    expect(unknown?.message).toContain('(200000 characters)');
    expect(unknown!.message.length).toBeLessThan(300);
  });

  it('leaves short quoted values as they are', async () => {
    const { clipMessage } = await import('../../pathway/compiler/diagnostics.ts');
    expect(clipMessage("unknown clinical code 'nt-scn' (did you mean 'nt-scan'?)")).toBe("unknown clinical code 'nt-scn' (did you mean 'nt-scan'?)");
    expect(clipMessage(`x '${'z'.repeat(100)}' and 'b'`)).toBe(`x '${'z'.repeat(60)}… (100 characters)' and 'b'`);
  });
});

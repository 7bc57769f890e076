import { describe, expect, it } from 'vitest';
import { projectTimeline } from '../../pathway/planner/index.ts';
import { timelinePage } from '../../pathway/preview/timeline-page.ts';
import { compilePathway } from '../support/journey-harness.ts';

const pregnancy = compilePathway('pathways/obstetrics/full-pregnancy.yaml');
const ivf = compilePathway('pathways/reproductive/ivf-cycle.yaml');

function page(pathway = pregnancy, anchors: Record<string, string> = { lmp: '2027-01-15' }, enrolledAt = '2027-01-15') {
  const projection = projectTimeline(pathway, { enrolledAt, anchors });
  return { html: timelinePage({ pathway, projection, enrolledAt, anchors }), projection };
}

const columns = (html: string) => [...html.matchAll(/<div class="head">([^<]*)<\/div>/g)].map((m) => m[1]);

describe('the timeline page of carepath preview --html', () => {
  it('needs nothing from outside: no script, no link, no URL', () => {
    const { html } = page();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|url\(|@import|https?:/i);
  });

  it('has a column for every gestational week from the first step to the birth, then weeks after it', () => {
    const { html } = page();
    const heads = columns(html);
    const weeks = heads.filter((h) => /^孕\d+周$/.test(h!)).map((h) => Number(/\d+/.exec(h!)![0]));
    expect(weeks.length).toBeGreaterThan(30);
    expect(weeks).toEqual(Array.from({ length: weeks.length }, (_, i) => weeks[0]! + i));
    expect(heads.at(-1)).toMatch(/^产后第\d+周$/);
  });

  it('draws the stages as bands in order with their titles, and every step by its code', () => {
    const { html, projection } = page();
    const bands = [...html.matchAll(/<div class="band"[^>]*>([^<]*)<\/div>/g)].map((m) => m[1]);
    expect(bands).toEqual(['孕早期', '孕中期', '孕晚期', '产后']);
    for (const e of projection.entries) expect(html).toContain(`>${e.code ?? e.step}</span>`);
  });

  it('lists skipped steps with why, struck through, and shows the quiet hours', () => {
    // Enrolled at 20 weeks: the first-trimester steps have passed.
    const { html, projection } = page(pregnancy, { lmp: '2027-01-15' }, '2027-06-04');
    const skipped = projection.entries.filter((e) => e.status === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    expect(html).toContain('跳过：入组晚于窗口');
    expect(html).toMatch(/<span class="chip \w+ skipped"/);
    expect(html).toContain('免打扰 21:00–08:00');
    expect([...html.matchAll(/class="hour quiet"/g)]).toHaveLength(11);
  });

  it('counts an IVF cycle by cycle day', () => {
    const { html } = page(ivf, { cycle_start: '2027-03-01' }, '2027-03-01');
    expect(columns(html).filter((h) => /^CD\d+$/.test(h!)).length).toBeGreaterThan(5);
  });

  it('escapes what the pathway says, and gives the same page for the same input', () => {
    const odd = { ...pregnancy, title: '<b>孕期</b> & "VIP"' };
    const { html } = page(odd);
    expect(html).toContain('&#60;b&#62;孕期&#60;/b&#62; &#38; &#34;VIP&#34;');
    expect(html).not.toContain('<b>孕期');
    expect(page(odd).html).toBe(html);
  });
});

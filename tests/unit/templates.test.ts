import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplateRenderer } from '../../channels/templates.ts';

function contentDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'carepath-content-'));
  mkdirSync(path.join(dir, 'templates'));
  writeFileSync(path.join(dir, 'templates', 'visit_notice.yaml'), 'id: visit_notice\nbody: "{{ name }}您好，您预约的{{visit}}在{{ at }}，请空腹。"\n');
  return dir;
}

describe('message templates', () => {
  const render = loadTemplateRenderer(contentDir());

  it('fills every placeholder', () => {
    expect(render('visit_notice', { name: '王女士', visit: 'NT检查', at: '3月1日 09:00' })).toBe('王女士您好，您预约的NT检查在3月1日 09:00，请空腹。');
  });

  it('refuses to send a half-filled text, without retrying', () => {
    expect(() => render('visit_notice', { name: '王女士', visit: 'NT检查' })).toThrow(expect.objectContaining({ nonRetryable: true, type: 'MissingTemplateVariable' }));
  });

  it('names an unknown template', () => {
    expect(() => render('nope', {})).toThrow(/no message template 'nope'/);
  });
});

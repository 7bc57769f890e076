import { describe, expect, it } from 'vitest';
import {
  callKey,
  followUpKey,
  messageKey,
  occurrenceKey,
  parseKey,
  parseMessageKey,
  splitKey,
  stepIdOfKey,
  stepIdOfOccurrence,
} from '../../pathway/model/keys.ts';

describe('occurrence, follow-up and call keys', () => {
  it('build and parse back', () => {
    const occ = occurrenceKey('book_nt', 1);
    expect(occ).toBe('book_nt#1');
    expect(parseKey(occ)).toEqual({ stepId: 'book_nt', suffix: '1', occurrence: 'book_nt#1' });
    const esc = followUpKey(occ, 'escalate', 2);
    expect(esc).toBe('book_nt#1/escalate-2');
    expect(parseKey(esc)).toEqual({ stepId: 'book_nt', suffix: '1', occurrence: 'book_nt#1', followUp: { kind: 'escalate', n: 2 } });
    expect(parseKey(callKey(followUpKey(occurrenceKey('epds', 1), 'remind', 1)))).toEqual({
      stepId: 'epds',
      suffix: '1',
      occurrence: 'epds#1',
      followUp: { kind: 'remind', n: 1 },
      call: true,
    });
  });

  it('keep suffixes that name what caused the occurrence (a reading, an event, a source occurrence)', () => {
    expect(parseKey('bp_e3#r:r7/escalate-1')).toMatchObject({ stepId: 'bp_e3', suffix: 'r:r7', occurrence: 'bp_e3#r:r7' });
    expect(parseKey(occurrenceKey('care_call', 'e:loss-1'))).toMatchObject({ suffix: 'e:loss-1' });
  });

  it('refuse what is not a key', () => {
    for (const bad of ['book_nt', '#1', 'book_nt#', 'x#1/other/2']) expect(parseKey(bad)).toBeNull();
    expect(stepIdOfKey('book_nt')).toBeNull();
    expect(splitKey('#1')).toBeNull();
  });

  it('tell an occurrence from a follow-up', () => {
    expect(stepIdOfOccurrence('book_nt#1')).toBe('book_nt');
    expect(stepIdOfOccurrence('book_nt#1/remind-1')).toBeNull();
    expect(stepIdOfKey('book_nt#1/remind-1')).toBe('book_nt');
  });
});

describe('message keys', () => {
  it('carry the enrolment, the key (follow-ups included) and the channel', () => {
    const key = messageKey('2f0c6f1e-0000-4000-8000-000000000001', followUpKey('v1_notice#1', 'remind', 1), 'wechat');
    expect(key).toBe('2f0c6f1e-0000-4000-8000-000000000001/v1_notice#1/remind-1/wechat');
    expect(parseMessageKey(key)).toEqual({ enrollmentId: '2f0c6f1e-0000-4000-8000-000000000001', key: 'v1_notice#1/remind-1', channel: 'wechat' });
    for (const bad of ['e1', 'e1/x', '/k#1/sms', 'e1/k#1/']) expect(parseMessageKey(bad)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { checkCondition } from '../../pathway/expressions/check.ts';

const scope = { variables: { gdm: 'bool', score: 'int', bmi: 'double', colour: 'string' } as const };
const refusal = (source: string) => {
  const result = checkCondition(source, scope);
  if (result.ok) throw new Error(`'${source}' was accepted`);
  return { message: result.message.replace(` in '${source}'`, ''), offset: result.offset };
};

describe('what a CEL refusal says when the author wrote another language', () => {
  it.each([
    ['gdm or score > 3', "'or' is not CEL: use || (e.g. a || b)", 4],
    ['score >= 10 AND score <= 14', "'AND' is not CEL: use && (e.g. a && b)", 12],
    ['not gdm', "'not' is not CEL: use ! (e.g. !gdm) or != to compare", 0],
    ['score = 3', "a single '=' is not a comparison in CEL: use ==", 6],
    ['score <> 3', "'<>' is not CEL: use !=", 6],
    ['score === 3', "'===' is not CEL: use ==", 6],
    ['score => 3', "'=>' is not CEL: use >=", 6],
    ['gdm == True', "'True' is not CEL: write true in lower case", 7],
    ['colour is null', "'is' is not CEL: compare with == or !=", 7],
    ['if gdm', "'if' is not CEL: a condition is one expression; for a choice use cond ? a : b", 0],
    ['bmi > 28,5', "'28,5': CEL writes decimals with a point (28.5)", 6],
  ])('%s', (source, message, offset) => {
    expect(refusal(source)).toEqual({ message, offset });
  });

  it('reads no habit into quoted text or lists, and leaves other refusals as they were', () => {
    expect(checkCondition('colour == \'red or orange\' && colour != "not = this"', scope)).toEqual({ ok: true });
    expect(checkCondition('score in [1,2]', scope)).toEqual({ ok: true });
    expect(refusal('weight in [1,2]').message).toBe("unknown variable 'weight'; known here: bmi, colour, gdm, score");
    expect(refusal('gdm || ').message).toMatch(/^Unexpected token: EOF/);
  });
});

import { describe, expect, it } from 'vitest';
import { PathwayRegistry } from '../../pathway/registry.ts';
import { compilePathway } from '../support/journey-harness.ts';

const pregnancy = compilePathway('pathways/obstetrics/full-pregnancy.yaml');
const checkup = compilePathway('pathways/post-checkup/premium.yaml');
const zoned = (id: string, name: string, offsetMinutes: number) => ({ ...checkup, id, timezone: { name, offsetMinutes } });

describe("the zone staff read a platform's times in", () => {
  it('is the one most offered pathways use', () => {
    const registry = new PathwayRegistry();
    registry.add(zoned('a-urumqi', 'Asia/Urumqi', 360), 'a.yaml');
    registry.add(pregnancy, 'p.yaml');
    registry.add(checkup, 'c.yaml');
    expect(registry.timeZone()).toEqual({ name: 'Asia/Shanghai', offsetMinutes: 480 });
  });

  it('is the first by id on a tie, and Beijing time when nothing is offered', () => {
    const registry = new PathwayRegistry();
    expect(registry.timeZone()).toEqual({ name: 'Asia/Shanghai', offsetMinutes: 480 });
    registry.add(zoned('z-shanghai', 'Asia/Shanghai', 480), 'z.yaml');
    registry.add(zoned('a-urumqi', 'Asia/Urumqi', 360), 'a.yaml');
    expect(registry.timeZone()).toEqual({ name: 'Asia/Urumqi', offsetMinutes: 360 });
  });
});

// Every example payload of the vendor's AsyncAPI contract, extracted once into a committed
// fixture (scripts/extract-spec-examples.py), goes through the schema of its direction.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseClientFrame, parseServerFrame } from '../../../src/protocol/index.ts';

interface SpecExample {
  message: string;
  example: string;
  direction: 'client' | 'server';
  payload: Record<string, unknown>;
}
const examples = JSON.parse(readFileSync(new URL('../../fixtures/spec-examples.json', import.meta.url), 'utf8')) as SpecExample[];

describe('AsyncAPI spec examples', () => {
  it('the fixture holds examples in both directions', () => {
    assert.ok(examples.some((e) => e.direction === 'client'));
    assert.ok(examples.some((e) => e.direction === 'server'));
  });

  for (const ex of examples) {
    it(`${ex.direction} ${ex.message} / ${ex.example} parses unchanged`, () => {
      const parse = ex.direction === 'client' ? parseClientFrame : parseServerFrame;
      const result = parse(JSON.stringify(ex.payload));
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.frame, ex.payload);
    });

    it(`${ex.direction} ${ex.message} / ${ex.example} is not accepted in the other direction`, () => {
      const parse = ex.direction === 'client' ? parseServerFrame : parseClientFrame;
      const result = parse(JSON.stringify(ex.payload));
      assert.equal(result.ok, false);
    });
  }
});

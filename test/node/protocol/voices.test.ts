import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MODEL, DEPRECATED_MODELS, MODELS, SERVER_DEFAULT_VOICE, VOICES, checkVoice, isModel } from '../../../src/protocol/index.ts';

describe('voice rosters', () => {
  it('has a roster for every model, matching the digest', () => {
    assert.deepEqual(Object.keys(VOICES).sort(), [...MODELS].sort());
    assert.equal(VOICES['hydra-v1.1'].length, 10);
    assert.equal(VOICES['hydra-v1.0'].length, 14);
    assert.equal(VOICES.hydra.length, 6);
    assert.equal(DEFAULT_MODEL, 'hydra-v1.1');
    assert.ok(DEPRECATED_MODELS.has('hydra'));
    assert.ok(VOICES['hydra-v1.0'].includes(SERVER_DEFAULT_VOICE));
  });

  it('rosters do not overlap', () => {
    const all = Object.values(VOICES).flat();
    assert.equal(new Set(all).size, all.length);
  });

  it('accepts every voice on its own model, and no voice', () => {
    for (const model of MODELS) {
      for (const voice of VOICES[model]) assert.deepEqual(checkVoice(model, voice), { ok: true });
      assert.deepEqual(checkVoice(model, undefined), { ok: true });
      assert.deepEqual(checkVoice(model, ''), { ok: true });
    }
  });

  it('rejects a voice of another model and names its owner and the valid roster', () => {
    const r = checkVoice('hydra-v1.1', 'sterling');
    assert.equal(r.ok, false);
    const message = (r as { message: string }).message;
    assert.match(message, /sterling/);
    assert.match(message, /belongs to hydra-v1\.0/);
    for (const v of VOICES['hydra-v1.1']) assert.ok(message.includes(v));
  });

  it('rejects unknown voices, wrong case, and unknown models', () => {
    assert.equal(checkVoice('hydra-v1.1', 'nobody').ok, false);
    assert.equal(checkVoice('hydra-v1.1', 'Zoe').ok, false);
    const r = checkVoice('hydra-v2', 'zoe');
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /Unknown model "hydra-v2"/);
    assert.equal(isModel('toString'), false);
    assert.equal(isModel('__proto__'), false);
    assert.equal(checkVoice('constructor', undefined).ok, false);
  });
});

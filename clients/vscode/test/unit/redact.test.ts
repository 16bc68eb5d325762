import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact } from '../../src/common/redact';

test('known secrets are masked wherever they appear', () => {
  const line = `Params: {"command":"skeptic._setApiKey","arguments":["sk-ant-secret"]} sk-ant-secret`;
  assert.equal(
    redact(line, ['sk-ant-secret']),
    'Params: {"command":"skeptic._setApiKey","arguments":["***"]} ***',
  );
});

test('an apiKey field is masked even when the key is not known', () => {
  const params = JSON.stringify(
    { initializationOptions: { apiKey: 'sk-x\\"y', client: 'vscode' } },
    null,
    4,
  );
  const out = redact(params, []);
  assert.ok(!out.includes('sk-x'));
  assert.ok(out.includes('"apiKey": "***"'));
  assert.ok(out.includes('"client": "vscode"'));
});

test('empty secrets change nothing', () => {
  assert.equal(redact('plain text', ['']), 'plain text');
});

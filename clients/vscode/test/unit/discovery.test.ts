import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  describe as describeCommand,
  findServer,
  probeVersion,
  serverCandidates,
  type ProbeResult,
  type ServerCommand,
} from '../../src/common/discovery';

const nothingExists = () => false;
const commands = (candidates: ServerCommand[]) => candidates.map(describeCommand);

describe('serverCandidates', () => {
  test('the configured path is the only candidate', () => {
    const candidates = serverCandidates({
      serverPath: '/opt/skeptic',
      interpreter: ['/venv/bin/python'],
      platform: 'linux',
      exists: () => true,
    });
    assert.deepEqual(candidates, [
      { command: '/opt/skeptic', args: [], source: 'skeptic.server.path' },
    ]);
  });

  test('skeptic beside the selected interpreter, then python -m, then python3', () => {
    const candidates = serverCandidates({
      serverPath: '',
      interpreter: ['/venv/bin/python'],
      platform: 'linux',
      exists: (file) => file === '/venv/bin/skeptic',
    });
    assert.deepEqual(commands(candidates), [
      '/venv/bin/skeptic',
      '/venv/bin/python -m skeptic',
      'python3 -m skeptic',
    ]);
  });

  test('without a script beside the interpreter', () => {
    const candidates = serverCandidates({
      serverPath: '',
      interpreter: ['/venv/bin/python'],
      platform: 'linux',
      exists: nothingExists,
    });
    assert.deepEqual(commands(candidates), ['/venv/bin/python -m skeptic', 'python3 -m skeptic']);
  });

  test('a multi-part interpreter command keeps its arguments', () => {
    const candidates = serverCandidates({
      serverPath: '',
      interpreter: ['conda', 'run', '-n', 'paper', 'python'],
      platform: 'linux',
      exists: () => true,
    });
    assert.deepEqual(commands(candidates), [
      'conda run -n paper python -m skeptic',
      'python3 -m skeptic',
    ]);
  });

  test('without the Python extension only python3 is left', () => {
    const candidates = serverCandidates({
      serverPath: '',
      interpreter: undefined,
      platform: 'linux',
      exists: () => true,
    });
    assert.deepEqual(candidates, [{ command: 'python3', args: ['-m', 'skeptic'], source: 'PATH' }]);
  });

  test('Windows looks in Scripts and falls back to python', () => {
    const candidates = serverCandidates({
      serverPath: '',
      interpreter: ['C:\\conda\\python.exe'],
      platform: 'win32',
      exists: (file) => file === 'C:\\conda\\Scripts\\skeptic.exe',
    });
    assert.deepEqual(commands(candidates), [
      'C:\\conda\\Scripts\\skeptic.exe',
      'C:\\conda\\python.exe -m skeptic',
      'python -m skeptic',
    ]);
  });
});

describe('findServer', () => {
  const a: ServerCommand = { command: 'a', args: [], source: 'test' };
  const b: ServerCommand = { command: 'b', args: [], source: 'test' };
  const c: ServerCommand = { command: 'c', args: [], source: 'test' };

  test('returns the first candidate that answers, with the failures before it', async () => {
    const probed: string[] = [];
    const probe = async (candidate: ServerCommand): Promise<ProbeResult> => {
      probed.push(candidate.command);
      return candidate.command === 'a'
        ? { ok: false, error: 'not found' }
        : { ok: true, version: '0.1.0' };
    };
    const discovery = await findServer([a, b, c], probe);
    assert.deepEqual(probed, ['a', 'b']);
    assert.deepEqual(discovery.found, { candidate: b, version: '0.1.0' });
    assert.deepEqual(discovery.tried, [{ candidate: a, error: 'not found' }]);
  });

  test('reports every failure when nothing works', async () => {
    const discovery = await findServer([a, b], async () => ({ ok: false, error: 'boom' }));
    assert.equal(discovery.found, undefined);
    assert.equal(discovery.tried.length, 2);
  });
});

describe('probeVersion', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skeptic-probe-'));
  const script = (name: string, body: string): ServerCommand => {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return { command: file, args: [], source: 'test' };
  };

  test('a working server prints its version', async () => {
    const result = await probeVersion(script('ok', 'echo "skeptic $1 0.1.0"'), 5000);
    assert.deepEqual(result, { ok: true, version: 'skeptic --version 0.1.0' });
  });

  test('a failing command reports its last stderr line', async () => {
    const result = await probeVersion(
      script('fail', 'echo "Traceback" >&2; echo "No module named skeptic" >&2; exit 1'),
      5000,
    );
    assert.deepEqual(result, { ok: false, error: 'No module named skeptic' });
  });

  test('a missing command is "not found"', async () => {
    const result = await probeVersion(
      { command: join(dir, 'missing'), args: [], source: 't' },
      5000,
    );
    assert.deepEqual(result, { ok: false, error: 'not found' });
  });

  test('a hanging command times out', async () => {
    const result = await probeVersion(script('hang', 'exec sleep 10'), 300);
    assert.deepEqual(result, { ok: false, error: 'no answer within 0.3 s' });
  });
});

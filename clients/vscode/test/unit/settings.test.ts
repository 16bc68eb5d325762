import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  CLIENT_SETTING_KEYS,
  SERVER_SETTING_KEYS,
  expandHome,
  initializationOptions,
  readClientSettings,
  readServerSettings,
  requiresRestart,
  SERVER_SETTING_SCOPES,
  workspaceSection,
} from '../../src/common/settings';

interface Property {
  default: unknown;
  scope: string;
}
const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Property> } };
};
const properties = manifest.contributes.configuration.properties;

/** A `skeptic` configuration section answering package.json defaults, overridden by `values`. */
function section(values: Record<string, unknown> = {}) {
  return {
    get<T>(key: string, fallback?: T): T {
      if (key in values) {
        return values[key] as T;
      }
      const property = properties[`skeptic.${key}`];
      return (property ? property.default : fallback) as T;
    },
  };
}

describe('settings keys', () => {
  test('package.json contributes exactly the server and client settings', () => {
    const contributed = Object.keys(properties).sort();
    const known = [...SERVER_SETTING_KEYS, ...CLIENT_SETTING_KEYS].map((k) => `skeptic.${k}`);
    assert.deepEqual(contributed, known.sort());
  });

  test('user-only settings are machine-scoped in package.json, the others per resource', () => {
    for (const key of SERVER_SETTING_KEYS) {
      const expected = SERVER_SETTING_SCOPES[key] === 'user' ? 'machine' : 'resource';
      assert.equal(properties[`skeptic.${key}`]?.scope, expected, key);
    }
  });
});

describe('readServerSettings', () => {
  test('nests dotted keys and keeps every default', () => {
    const settings = readServerSettings(section());
    assert.equal(settings.engine, 'auto');
    assert.deepEqual(settings.personas, []);
    assert.equal(settings.severity.mirror, 'hint');
    assert.equal(settings.anthropic.maxTokens, 4096);
    assert.equal(settings.dismissalsInProject, false);
    assert.ok(!('anthropic.model' in settings));
    assert.ok(!('server' in settings) && !('trace' in settings));
  });

  test('takes user values', () => {
    const settings = readServerSettings(
      section({ engine: 'offline', 'anthropic.effort': 'high', dismissalsInProject: true }),
    );
    assert.equal(settings.engine, 'offline');
    assert.equal(settings.anthropic.effort, 'high');
    assert.equal(settings.dismissalsInProject, true);
  });
});

describe('initializationOptions', () => {
  const settings = readServerSettings(section());

  test('carries settings, key and client name', () => {
    assert.deepEqual(initializationOptions(settings, 'sk-ant-123'), {
      settings,
      apiKey: 'sk-ant-123',
      client: 'vscode',
    });
  });

  test('leaves the key out when there is none', () => {
    const options = initializationOptions(settings, undefined);
    assert.deepEqual(options, { settings, client: 'vscode' });
    assert.ok(!('apiKey' in options));
    assert.ok(!('apiKey' in initializationOptions(settings, '')));
  });
});

describe('client settings', () => {
  test('server path is trimmed and ~ expanded', () => {
    assert.deepEqual(readClientSettings(section(), '/home/u'), { serverPath: '' });
    assert.deepEqual(
      readClientSettings(section({ 'server.path': ' ~/venv/bin/skeptic ' }), '/home/u'),
      {
        serverPath: '/home/u/venv/bin/skeptic',
      },
    );
  });

  test('expandHome', () => {
    assert.equal(expandHome('~', '/h'), '/h');
    assert.equal(expandHome('${userHome}/bin/skeptic', '/h'), '/h/bin/skeptic');
    assert.equal(expandHome('/opt/~x', '/h'), '/opt/~x');
  });

  test('the server path and user-only settings restart the server', () => {
    const changed = (...keys: string[]) => ({
      affectsConfiguration: (section: string) =>
        keys.some((key) => key === section || key.startsWith(`${section}.`)),
    });
    assert.equal(requiresRestart(changed('skeptic.server.path')), true);
    assert.equal(requiresRestart(changed('skeptic.anthropic.baseUrl')), true);
    assert.equal(requiresRestart(changed('skeptic.personasDir')), true);
    assert.equal(requiresRestart(changed('skeptic.engine')), false);
    assert.equal(requiresRestart(changed('skeptic.anthropic.effort')), false);
    assert.equal(requiresRestart(changed('skeptic.trace.server')), false);
  });

  test('workspace/configuration answers keep only the workspace-settable keys', () => {
    assert.deepEqual(
      workspaceSection({
        engine: 'auto',
        cacheDir: '/tmp/c',
        personasDir: '',
        allowOutsideWorkspace: true,
        server: { path: '/x' },
        trace: { server: 'off' },
        anthropic: { model: 'm', baseUrl: 'http://evil', effort: 'low' },
      }),
      { engine: 'auto', anthropic: { effort: 'low' } },
    );
    assert.deepEqual(workspaceSection({ anthropic: { model: 'm' }, server: { other: 1 } }), {
      server: { other: 1 },
    });
    assert.equal(workspaceSection(null), null);
    assert.deepEqual(workspaceSection([1]), [1]);
  });
});

/**
 * The `skeptic.*` settings: typed, read from a configuration section, and turned into the
 * `initializationOptions` the server expects (see docs/reference/protocol.md).
 *
 * Pure: only types come from `vscode`, so this module runs under `node --test`.
 */
import type { ConfigurationChangeEvent, WorkspaceConfiguration } from 'vscode';

export type Engine = 'auto' | 'offline' | 'anthropic';
export type Kind =
  | 'delta-audit'
  | 'corner-case'
  | 'complexity-gain'
  | 'hidden-baseline'
  | 'mechanism'
  | 'evidence'
  | 'mirror';
export type Severity = 'error' | 'warning' | 'information' | 'hint' | 'off';
export type TwistStyle = 'auto' | 'todo' | 'comment';
export type Effort = 'low' | 'medium' | 'high';

/** The server's settings (skeptic.settings.SPECS), nested the way the server reads them. */
export interface ServerSettings {
  engine: Engine;
  personas: string[];
  maxPersonas: number;
  personasDir: string;
  severity: Partial<Record<Kind, Severity>>;
  debounceMs: number;
  twistStyle: TwistStyle;
  cacheDir: string;
  allowOutsideWorkspace: boolean;
  maxFileBytes: number;
  dismissalsInProject: boolean;
  anthropic: {
    model: string;
    maxTokens: number;
    effort: Effort;
    baseUrl: string;
    maxRequestsPerRun: number;
    maxInputTokensPerRun: number;
    concurrency: number;
    timeoutSeconds: number;
    maxRetries: number;
  };
}

/** A server setting's key below `skeptic.`, with dots for nesting (`anthropic.model`). */
export type ServerSettingKey =
  Exclude<keyof ServerSettings, 'anthropic'> | `anthropic.${keyof ServerSettings['anthropic']}`;

/**
 * Where a server setting may come from (Spec.scope): `user` settings only from the user's own
 * configuration, `resource` ones also from workspace files.
 */
export type SettingScope = 'user' | 'resource';

/** Every server setting once, with its scope: the compiler rejects a missing or unknown key. */
export const SERVER_SETTING_SCOPES: Record<ServerSettingKey, SettingScope> = {
  engine: 'resource',
  personas: 'resource',
  maxPersonas: 'resource',
  personasDir: 'user',
  severity: 'resource',
  debounceMs: 'resource',
  twistStyle: 'resource',
  cacheDir: 'user',
  allowOutsideWorkspace: 'user',
  maxFileBytes: 'resource',
  dismissalsInProject: 'resource',
  'anthropic.model': 'user',
  'anthropic.maxTokens': 'resource',
  'anthropic.effort': 'resource',
  'anthropic.baseUrl': 'user',
  'anthropic.maxRequestsPerRun': 'resource',
  'anthropic.maxInputTokensPerRun': 'resource',
  'anthropic.concurrency': 'resource',
  'anthropic.timeoutSeconds': 'resource',
  'anthropic.maxRetries': 'resource',
};
export const SERVER_SETTING_KEYS = Object.keys(SERVER_SETTING_SCOPES) as ServerSettingKey[];
const USER_SETTING_KEYS = SERVER_SETTING_KEYS.filter(
  (key) => SERVER_SETTING_SCOPES[key] === 'user',
);

/** Settings only the extension reads; the server never sees them. */
export const CLIENT_SETTING_KEYS = ['server.path', 'trace.server'] as const;

export interface ClientSettings {
  /** `skeptic.server.path` with `~` expanded; empty when unset. */
  serverPath: string;
}

/** What the server receives as `initializationOptions`. */
export interface InitializationOptions {
  settings: ServerSettings;
  apiKey?: string;
  client: 'vscode';
}

type ConfigReader = Pick<WorkspaceConfiguration, 'get'>;

/** Reads every server setting from the `skeptic` section into the nested shape. */
export function readServerSettings(config: ConfigReader): ServerSettings {
  const nested: Record<string, unknown> = {};
  for (const key of SERVER_SETTING_KEYS) {
    const value = config.get<unknown>(key);
    if (value !== undefined) {
      setPath(nested, key.split('.'), value);
    }
  }
  // package.json contributes a default for every key, so VS Code never returns undefined.
  return nested as unknown as ServerSettings;
}

/** Reads the client-only settings from the `skeptic` section. */
export function readClientSettings(config: ConfigReader, home: string): ClientSettings {
  return { serverPath: expandHome(config.get<string>('server.path', '').trim(), home) };
}

/** Builds `initializationOptions`; the key is left out when there is none. */
export function initializationOptions(
  settings: ServerSettings,
  apiKey: string | undefined,
): InitializationOptions {
  return apiKey ? { settings, apiKey, client: 'vscode' } : { settings, client: 'vscode' };
}

/**
 * Whether a configuration change needs a new server process rather than a settings push: the
 * server path, and the user-only settings, which the server takes from initializationOptions.
 */
export function requiresRestart(
  event: Pick<ConfigurationChangeEvent, 'affectsConfiguration'>,
): boolean {
  return ['server.path', ...USER_SETTING_KEYS].some((key) =>
    event.affectsConfiguration(`skeptic.${key}`),
  );
}

/**
 * The `skeptic` section as answered to the server's `workspace/configuration` request: without
 * the client-only keys and without the user-only ones (the server ignores those there, as a
 * workspace file might have set them; it has them from initializationOptions).
 */
export function workspaceSection(section: unknown): unknown {
  if (!isObject(section)) {
    return section;
  }
  let result: Record<string, unknown> = section;
  for (const key of [...CLIENT_SETTING_KEYS, ...USER_SETTING_KEYS]) {
    result = withoutPath(result, key.split('.'));
  }
  return result;
}

/** Expands a leading `~` or `${userHome}` to the home folder. */
export function expandHome(path: string, home: string): string {
  if (path === '~' || path.startsWith('~/') || path.startsWith('~\\')) {
    return home + path.slice(1);
  }
  return path.replace(/^\$\{userHome\}/, home);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A copy of `target` without the value at `parts`, dropping parents left empty. */
function withoutPath(target: Record<string, unknown>, parts: string[]): Record<string, unknown> {
  const [head, ...rest] = parts as [string, ...string[]];
  if (!(head in target)) {
    return target;
  }
  const { [head]: value, ...others } = target;
  if (rest.length === 0) {
    return others;
  }
  if (!isObject(value)) {
    return target;
  }
  const child = withoutPath(value, rest);
  return Object.keys(child).length === 0 ? others : { ...others, [head]: child };
}

function setPath(target: Record<string, unknown>, parts: string[], value: unknown): void {
  const [head, ...rest] = parts as [string, ...string[]];
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = (target[head] ??= {}) as Record<string, unknown>;
  setPath(child, rest, value);
}

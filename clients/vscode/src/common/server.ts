/**
 * The language client's lifecycle: find a working `skeptic` (see discovery.ts), start it as
 * `skeptic serve --stdio`, restart it (debounced) when the launch settings change, and hand it
 * the API key.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  NotificationType,
  RequestType,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  describe,
  findServer,
  probeVersion,
  serverCandidates,
  type Discovery,
  type ServerCommand,
} from './discovery';
import type { RedactingLog } from './log';
import { selectedInterpreter } from './python';
import { readFile, READ_FILE_METHOD, type ReadFileParams, type ReadFileResult } from './readFile';
import {
  initializationOptions,
  readClientSettings,
  readServerSettings,
  workspaceSection,
} from './settings';
import { STATUS_METHOD, type ServerStatus, type StatusBar } from './status';

/** LaTeX documents on disk, unsaved, and in Overleaf Workshop's virtual file system. */
export const DOCUMENT_SELECTOR: { scheme: string; language: string }[] = [
  'file',
  'untitled',
  'overleaf-workshop',
].flatMap((scheme) => ['latex', 'tex'].map((language) => ({ scheme, language })));

/** Where the API key lives in `context.secrets`. */
export const API_KEY_SECRET = 'skeptic.anthropicApiKey';

/** Server commands that take `[uri?]`: without an argument they get the active document. */
const DOCUMENT_COMMANDS = new Set(['skeptic.critique', 'skeptic.showPersonas']);
const PROBE_TIMEOUT_MS = 15_000;
const RESTART_DELAY_MS = 1_000;
const INSTALL = 'Install instructions';
const SHOW_LOG = 'Show log';

const readFileRequest = new RequestType<ReadFileParams, ReadFileResult, void>(READ_FILE_METHOD);
const statusNotification = new NotificationType<ServerStatus>(STATUS_METHOD);

export class SkepticServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private apiKey: string | undefined;
  private queue: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: RedactingLog,
    private readonly status: StatusBar,
  ) {}

  /** Stops the running server, if any, and starts a new one (after pending starts/stops). */
  restart(): Promise<void> {
    clearTimeout(this.restartTimer);
    return this.enqueue(async () => {
      await this.stopClient();
      await this.start();
    });
  }

  /** Restarts once nothing asked for a restart for a second. */
  scheduleRestart(reason: string): void {
    this.log.info(`Restarting the server: ${reason}`);
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.restart(), RESTART_DELAY_MS);
  }

  /** Stops the server (after pending starts/stops). */
  stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    return this.enqueue(() => this.stopClient());
  }

  /** Hands a new API key (or none) to the running server, and to every later start. */
  async setApiKey(key: string | undefined): Promise<void> {
    this.useApiKey(key);
    const client = this.client;
    if (client?.isRunning()) {
      await client.sendRequest(ExecuteCommandRequest.type, {
        command: 'skeptic._setApiKey',
        arguments: [key ?? null],
      });
    }
  }

  dispose(): void {
    void this.stop();
  }

  /** Runs starts and stops one at a time; a failure is logged and does not block the next. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task).catch((error: unknown) => {
      this.log.error(`Starting or stopping the server failed: ${String(error)}`);
      this.status.failed(String(error));
    });
    return this.queue;
  }

  private async start(): Promise<void> {
    this.status.starting();
    const config = vscode.workspace.getConfiguration('skeptic');
    const { serverPath } = readClientSettings(config, os.homedir());
    const resource =
      vscode.window.activeTextEditor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
    // An untrusted workspace may select its own interpreter: never run it.
    const interpreter =
      !serverPath && vscode.workspace.isTrusted
        ? await selectedInterpreter(resource, this.log)
        : undefined;
    const candidates = serverCandidates({
      serverPath,
      interpreter,
      platform: process.platform,
      exists: isFile,
    });
    const discovery = await findServer(candidates, (candidate) => {
      this.log.info(`Probing ${describe(candidate)} --version (${candidate.source})`);
      return probeVersion(candidate, PROBE_TIMEOUT_MS);
    });
    for (const { candidate, error } of discovery.tried) {
      this.log.warn(`${describe(candidate)}: ${error}`);
    }
    if (!discovery.found) {
      this.reportMissingServer(discovery);
      return;
    }
    const { candidate, version } = discovery.found;
    this.log.info(`Starting ${describe(candidate)} serve (${version})`);
    this.useApiKey(await this.context.secrets.get(API_KEY_SECRET));

    const client = new LanguageClient(
      'skeptic',
      'Skeptic',
      serverOptions(candidate),
      this.clientOptions(),
    );
    client.onRequest(readFileRequest, (params) => readFile(params, this.log));
    client.onNotification(statusNotification, (params) => this.status.running(params));
    client.onDidChangeState(({ newState }) => {
      const running = newState === State.Running;
      void vscode.commands.executeCommand('setContext', 'skeptic.running', running);
      if (running) {
        this.status.running();
      } else if (newState === State.Stopped && this.client === client) {
        this.status.failed('the server stopped');
      }
    });
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      // vscode-languageclient has already shown its own notification for this.
      this.log.error(`The server did not start: ${String(error)}`);
      this.status.failed('the server did not start');
    }
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.dispose();
      } catch (error) {
        this.log.warn(`Stopping the server failed: ${String(error)}`);
      }
    }
  }

  private useApiKey(key: string | undefined): void {
    this.apiKey = key;
    if (key) {
      this.log.addSecret(key);
    }
  }

  private clientOptions(): LanguageClientOptions {
    return {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      // A function, so a restart after a crash sends the current settings and key.
      initializationOptions: () =>
        initializationOptions(
          readServerSettings(vscode.workspace.getConfiguration('skeptic')),
          this.apiKey,
        ),
      synchronize: { configurationSection: 'skeptic' },
      middleware: this.middleware(),
    };
  }

  private middleware(): Middleware {
    return {
      executeCommand: (command, args, next) => next(command, this.commandArguments(command, args)),
      workspace: {
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return result.map((value, i) =>
            params.items[i]?.section === 'skeptic' ? workspaceSection(value) : value,
          );
        },
      },
    };
  }

  /** URIs become protocol strings; a document command without one gets the active editor's. */
  private commandArguments(command: string, args: unknown[]): unknown[] {
    const c2p = this.client?.code2ProtocolConverter;
    const asUri = (uri: vscode.Uri) => (c2p ? c2p.asUri(uri) : uri.toString());
    if (args.length === 0 && DOCUMENT_COMMANDS.has(command)) {
      const document = vscode.window.activeTextEditor?.document;
      if (document && vscode.languages.match(DOCUMENT_SELECTOR, document) > 0) {
        return [asUri(document.uri)];
      }
    }
    return args.map((arg) => (arg instanceof vscode.Uri ? asUri(arg) : arg));
  }

  private reportMissingServer(discovery: Discovery): void {
    const tried = discovery.tried.map(
      ({ candidate, error }) => `${describe(candidate)} (${error})`,
    );
    this.log.error(`No working Skeptic server. Tried: ${tried.join('; ')}`);
    this.status.failed('no working skeptic server was found');
    const [first] = discovery.tried;
    const message =
      first?.candidate.source === 'skeptic.server.path'
        ? `skeptic.server.path (${first.candidate.command}) does not work (${first.error}). ` +
          'Correct or clear the setting.'
        : `No working skeptic was found (tried ${tried.join('; ')}). Install it with ` +
          '"pip install skeptic-lsp" into the selected Python environment, or set ' +
          'skeptic.server.path.';
    void vscode.window
      .showErrorMessage(
        `Skeptic could not start its language server: ${message}`,
        INSTALL,
        SHOW_LOG,
      )
      .then((choice) => {
        if (choice === INSTALL) {
          const readme = vscode.Uri.joinPath(this.context.extensionUri, 'README.md');
          void vscode.commands.executeCommand('markdown.showPreview', readme);
        } else if (choice === SHOW_LOG) {
          this.log.show();
        }
      });
  }
}

function serverOptions(candidate: ServerCommand): ServerOptions {
  return {
    command: candidate.command,
    // vscode-languageclient appends --stdio.
    args: [...candidate.args, 'serve'],
    transport: TransportKind.stdio,
  };
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

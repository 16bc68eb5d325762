/** Entry point: wires the output channel, status bar, server and commands together. */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { registerCommands } from './common/commands';
import { createLog } from './common/log';
import { onDidChangeInterpreter } from './common/python';
import { SkepticServer } from './common/server';
import { readClientSettings, requiresRestart } from './common/settings';
import { StatusBar } from './common/status';

let server: SkepticServer | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = createLog();
  const status = new StatusBar();
  const skeptic = new SkepticServer(context, log, status);
  server = skeptic;
  context.subscriptions.push(
    log,
    status,
    skeptic,
    ...registerCommands(context, skeptic, log),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (requiresRestart(event)) {
        skeptic.scheduleRestart('a launch or user-only setting changed');
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() =>
      skeptic.scheduleRestart('the workspace is now trusted'),
    ),
  );
  void onDidChangeInterpreter(() => {
    const { serverPath } = readClientSettings(
      vscode.workspace.getConfiguration('skeptic'),
      os.homedir(),
    );
    if (!serverPath) {
      skeptic.scheduleRestart('the selected Python interpreter changed');
    }
  }, log).then((watch) => watch && context.subscriptions.push(watch));
  void skeptic.restart();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
}

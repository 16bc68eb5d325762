/**
 * The extension's own commands. The server's commands (`skeptic.critique`, `skeptic.clearCache`,
 * `skeptic.showPersonas`, `skeptic._*`) are registered by vscode-languageclient, never here.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RedactingLog } from './log';
import { API_KEY_SECRET, type SkepticServer } from './server';

/** One entry of the `skeptic.showPersonas` result. */
interface Persona {
  id: string;
  name: string;
  title: string;
  score: number | null;
  selected: boolean;
  source: string;
  warnings: string[];
}

export function registerCommands(
  context: vscode.ExtensionContext,
  server: SkepticServer,
  log: RedactingLog,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('skeptic.restart', () => server.restart()),
    vscode.commands.registerCommand('skeptic.showLog', () => log.show()),
    vscode.commands.registerCommand('skeptic.showProblems', () =>
      vscode.commands.executeCommand('workbench.actions.view.problems'),
    ),
    vscode.commands.registerCommand('skeptic.setApiKey', () => setApiKey(context, server, log)),
    vscode.commands.registerCommand('skeptic.listPersonas', () => showPersonas(log)),
  ];
}

/** Asks for the key (masked), keeps it in secret storage and hands it to the server. */
async function setApiKey(
  context: vscode.ExtensionContext,
  server: SkepticServer,
  log: RedactingLog,
): Promise<void> {
  const input = await vscode.window.showInputBox({
    title: 'Skeptic: Anthropic API key',
    prompt:
      'Kept in VS Code secret storage and handed to the Skeptic server; never written to ' +
      'settings. Leave empty to forget the stored key.',
    placeHolder: 'sk-ant-…',
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) =>
      /\s/.test(value.trim()) ? 'An API key contains no spaces.' : undefined,
  });
  if (input === undefined) {
    return;
  }
  const key = input.trim() || undefined;
  if (key) {
    await context.secrets.store(API_KEY_SECRET, key);
  } else {
    await context.secrets.delete(API_KEY_SECRET);
  }
  try {
    await server.setApiKey(key);
  } catch (error) {
    log.error(`Handing the API key to the server failed: ${String(error)}`);
    void vscode.window.showWarningMessage(
      'Skeptic: the running server did not take the change; it applies from the next start.',
    );
    return;
  }
  void vscode.window.showInformationMessage(
    key ? 'Skeptic: API key stored.' : 'Skeptic: API key removed.',
  );
}

/** Lists the personas for the active document's project; picking one opens its file. */
async function showPersonas(log: RedactingLog): Promise<void> {
  let personas: Persona[] | null | undefined;
  try {
    personas = await vscode.commands.executeCommand<Persona[] | null>('skeptic.showPersonas');
  } catch (error) {
    log.error(`skeptic.showPersonas failed: ${String(error)}`);
    void vscode.window.showErrorMessage('Skeptic: the server could not list its personas.');
    return;
  }
  const items = (personas ?? []).map((persona) => ({
    persona,
    label: `${persona.selected ? '$(check)' : '$(blank)'} ${persona.name}`,
    description: persona.title,
    detail: [
      persona.id,
      persona.score === null ? undefined : `relevance ${persona.score.toFixed(1)}`,
      ...persona.warnings.map((warning) => `$(warning) ${warning}`),
    ]
      .filter((part) => part)
      .join(' · '),
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Skeptic personas',
    placeHolder: items.length
      ? '✓ marks the personas that critique this draft; pick one to read it'
      : 'The server returned no personas',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  const file = picked && personaFile(picked.persona.source);
  if (file) {
    await vscode.window.showTextDocument(file, { preview: true });
  }
}

/** The persona's file, when its source is a path or a URI (bundled personas may be neither). */
function personaFile(source: string): vscode.Uri | undefined {
  if (path.isAbsolute(source)) {
    return vscode.Uri.file(source);
  }
  return /^[a-z][a-z0-9+.-]+:/i.test(source) ? vscode.Uri.parse(source) : undefined;
}

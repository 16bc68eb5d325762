/**
 * The status bar item: the engine, a spinner with the persona and section while a critique
 * runs (from the server's `skeptic/status` notification), and the number of objections shown.
 * A click opens the Problems panel.
 */
import * as vscode from 'vscode';

export const STATUS_METHOD = 'skeptic/status';

/** Params of the `skeptic/status` notification. */
export interface ServerStatus {
  engine: 'offline' | 'anthropic';
  state: 'idle' | 'running' | 'error';
  message?: string;
  objections?: number;
}

type ServerState =
  | { kind: 'starting' }
  | { kind: 'failed'; reason: string }
  | { kind: 'running'; status?: ServerStatus };

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private state: ServerState = { kind: 'starting' };
  private objections = 0;

  constructor() {
    this.item = vscode.window.createStatusBarItem(
      'skeptic.status',
      vscode.StatusBarAlignment.Right,
      100,
    );
    this.item.name = 'Skeptic';
    this.disposables.push(
      this.item,
      vscode.languages.onDidChangeDiagnostics(() => this.countObjections()),
    );
    this.countObjections();
  }

  starting(): void {
    this.state = { kind: 'starting' };
    this.render();
  }

  failed(reason: string): void {
    this.state = { kind: 'failed', reason };
    this.render();
  }

  running(status?: ServerStatus): void {
    this.state = status ? { kind: 'running', status } : { kind: 'running' };
    this.render();
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }

  private countObjections(): void {
    this.objections = 0;
    for (const [, diagnostics] of vscode.languages.getDiagnostics()) {
      this.objections += diagnostics.filter((d) => d.source === 'skeptic').length;
    }
    this.render();
  }

  private render(): void {
    const item = this.item;
    const state = this.state;
    item.backgroundColor = undefined;
    item.command = 'skeptic.showProblems';
    const count = `${this.objections} objection${this.objections === 1 ? '' : 's'}`;
    switch (state.kind) {
      case 'starting':
        item.text = '$(loading~spin) Skeptic';
        item.tooltip = 'Skeptic: starting the language server…';
        break;
      case 'failed':
        item.text = '$(error) Skeptic';
        item.tooltip = `Skeptic is not running: ${state.reason}\nClick to show the log.`;
        item.command = 'skeptic.showLog';
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
      case 'running': {
        const status = state.status;
        const engine = status ? (status.engine === 'anthropic' ? 'Anthropic' : 'offline') : '';
        const label = engine ? `Skeptic (${engine})` : 'Skeptic';
        const name = engine ? `Skeptic ${engine}` : 'Skeptic';
        if (status?.state === 'running') {
          item.text = `$(sync~spin) Skeptic: ${status.message ?? 'critiquing'}`;
          item.tooltip = `${label} is critiquing ${status.message ?? ''}\n${count}`;
        } else if (status?.state === 'error') {
          item.text = `$(warning) ${name} · ${this.objections}`;
          item.tooltip = `${label}: ${status.message ?? 'the last critique failed'}\n${count}`;
          item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        } else {
          item.text = `$(comment-discussion) ${name} · ${this.objections}`;
          item.tooltip = `${label}: ${count}. Click to open the Problems panel.`;
        }
        break;
      }
    }
    item.show();
  }
}

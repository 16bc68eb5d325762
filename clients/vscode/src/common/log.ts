/**
 * The "Skeptic" output channel: a LogOutputChannel that the extension and the language client
 * (messages, trace) write to, with every known secret redacted. Never revealed automatically.
 */
import * as vscode from 'vscode';
import { redact } from './redact';

/** A LogOutputChannel that redacts the registered secrets from everything written to it. */
export class RedactingLog implements vscode.LogOutputChannel {
  private readonly secrets = new Set<string>();

  constructor(private readonly channel: vscode.LogOutputChannel) {}

  /** Adds a secret (e.g. the API key) to hide from now on. */
  addSecret(secret: string): void {
    this.secrets.add(secret);
  }

  get name(): string {
    return this.channel.name;
  }
  get logLevel(): vscode.LogLevel {
    return this.channel.logLevel;
  }
  get onDidChangeLogLevel(): vscode.Event<vscode.LogLevel> {
    return this.channel.onDidChangeLogLevel;
  }

  trace(message: string, ...args: unknown[]): void {
    this.channel.trace(this.clean(message), ...args.map((a) => this.cleanArg(a)));
  }
  debug(message: string, ...args: unknown[]): void {
    this.channel.debug(this.clean(message), ...args.map((a) => this.cleanArg(a)));
  }
  info(message: string, ...args: unknown[]): void {
    this.channel.info(this.clean(message), ...args.map((a) => this.cleanArg(a)));
  }
  warn(message: string, ...args: unknown[]): void {
    this.channel.warn(this.clean(message), ...args.map((a) => this.cleanArg(a)));
  }
  error(error: string | Error, ...args: unknown[]): void {
    const message = typeof error === 'string' ? error : (error.stack ?? error.message);
    this.channel.error(this.clean(message), ...args.map((a) => this.cleanArg(a)));
  }
  append(value: string): void {
    this.channel.append(this.clean(value));
  }
  appendLine(value: string): void {
    this.channel.appendLine(this.clean(value));
  }
  replace(value: string): void {
    this.channel.replace(this.clean(value));
  }
  clear(): void {
    this.channel.clear();
  }
  show(preserveFocus?: boolean): void;
  show(column?: vscode.ViewColumn, preserveFocus?: boolean): void;
  show(): void {
    this.channel.show(true);
  }
  hide(): void {
    this.channel.hide();
  }
  dispose(): void {
    this.channel.dispose();
  }

  private clean(text: string): string {
    return redact(text, this.secrets);
  }

  private cleanArg(arg: unknown): unknown {
    if (typeof arg === 'string') {
      return this.clean(arg);
    }
    if (arg instanceof Error) {
      return this.clean(arg.stack ?? arg.message);
    }
    if (arg !== null && typeof arg === 'object') {
      return this.clean(JSON.stringify(arg));
    }
    return arg;
  }
}

/** Creates the extension's output channel. */
export function createLog(): RedactingLog {
  return new RedactingLog(vscode.window.createOutputChannel('Skeptic', { log: true }));
}

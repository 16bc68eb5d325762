/**
 * Finding a runnable Skeptic server: the candidate commands in order of preference, each
 * probed with `--version` before the language client starts it.
 *
 * Pure apart from `probeVersion` (which spawns a process); no `vscode` import.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import * as path from 'node:path';

/** A command that runs the Skeptic CLI; the server is `command ...args serve --stdio`. */
export interface ServerCommand {
  command: string;
  args: string[];
  /** Where the candidate came from, for logs and the error message. */
  source: string;
}

export interface DiscoveryInput {
  /** `skeptic.server.path`; when set it is the only candidate. */
  serverPath: string;
  /** The Python extension's interpreter command (`execCommand`), if there is one. */
  interpreter: string[] | undefined;
  platform: NodeJS.Platform;
  /** Whether a file exists (used to look for `skeptic` beside the interpreter). */
  exists: (file: string) => boolean;
}

export type ProbeResult = { ok: true; version: string } | { ok: false; error: string };
export type Probe = (candidate: ServerCommand) => Promise<ProbeResult>;

export interface Discovery {
  found?: { candidate: ServerCommand; version: string };
  tried: { candidate: ServerCommand; error: string }[];
}

/**
 * The candidates in order: the configured path alone; else `skeptic` beside the selected
 * interpreter, then `<interpreter> -m skeptic`; then `python3 -m skeptic` from PATH.
 */
export function serverCandidates(input: DiscoveryInput): ServerCommand[] {
  if (input.serverPath) {
    return [{ command: input.serverPath, args: [], source: 'skeptic.server.path' }];
  }
  const windows = input.platform === 'win32';
  const candidates: ServerCommand[] = [];
  const [python, ...pythonArgs] = input.interpreter ?? [];
  if (python) {
    if (pythonArgs.length === 0) {
      const p = windows ? path.win32 : path.posix;
      const dir = p.dirname(python);
      const scripts = windows
        ? [p.join(dir, 'skeptic.exe'), p.join(dir, 'Scripts', 'skeptic.exe')]
        : [p.join(dir, 'skeptic')];
      const script = scripts.find(input.exists);
      if (script) {
        candidates.push({ command: script, args: [], source: 'beside the selected Python' });
      }
    }
    candidates.push({
      command: python,
      args: [...pythonArgs, '-m', 'skeptic'],
      source: 'the selected Python',
    });
  }
  candidates.push({
    command: windows ? 'python' : 'python3',
    args: ['-m', 'skeptic'],
    source: 'PATH',
  });
  return candidates;
}

/** Probes the candidates in order and returns the first that works, with every failure. */
export async function findServer(candidates: ServerCommand[], probe: Probe): Promise<Discovery> {
  const tried: Discovery['tried'] = [];
  for (const candidate of candidates) {
    const result = await probe(candidate);
    if (result.ok) {
      return { found: { candidate, version: result.version }, tried };
    }
    tried.push({ candidate, error: result.error });
  }
  return { tried };
}

/** Shell-like rendering of a candidate for messages. */
export function describe(candidate: ServerCommand): string {
  return [candidate.command, ...candidate.args]
    .map((part) => (/[\s"']/.test(part) ? JSON.stringify(part) : part))
    .join(' ');
}

/** Runs `<candidate> --version`; it works when it exits 0 within `timeoutMs`. */
export function probeVersion(candidate: ServerCommand, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(
      candidate.command,
      [...candidate.args, '--version'],
      { timeout: timeoutMs, windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ ok: true, version: firstLine(stdout) || firstLine(stderr) || 'unknown' });
          return;
        }
        resolve({ ok: false, error: probeError(error, stderr, timeoutMs) });
      },
    );
  });
}

function probeError(error: ExecFileException, stderr: string, timeoutMs: number): string {
  if (error.code === 'ENOENT') {
    return 'not found';
  }
  if (error.killed || error.signal) {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  const lines = stderr.trim().split(/\r?\n/);
  return lines[lines.length - 1] || error.message;
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? '';
}

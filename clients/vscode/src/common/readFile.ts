/**
 * Answers the server's `skeptic/readFile` request, which it sends for documents outside the
 * `file` scheme (e.g. Overleaf Workshop's virtual projects) to read the files they `\input`.
 */
import * as vscode from 'vscode';
import type { RedactingLog } from './log';

export const READ_FILE_METHOD = 'skeptic/readFile';

export interface ReadFileParams {
  uri: string;
}

export type ReadFileResult = { text: string } | null;

/**
 * The file's text: an open editor's (unsaved) content when there is one, else what
 * `vscode.workspace.fs` reads; null when the file does not exist.
 */
export async function readFile(params: ReadFileParams, log: RedactingLog): Promise<ReadFileResult> {
  const uri = vscode.Uri.parse(params.uri, true);
  const key = uri.toString();
  const open = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === key);
  if (open) {
    return { text: open.getText() };
  }
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    return { text: new TextDecoder('utf-8').decode(bytes) };
  } catch (error) {
    if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') {
      log.debug(`skeptic/readFile: ${key} does not exist`);
      return null;
    }
    log.warn(`skeptic/readFile: cannot read ${key}: ${String(error)}`);
    throw error;
  }
}

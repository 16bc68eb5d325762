/**
 * The interpreter the Python extension (ms-python.python) selected, through its public API:
 * `environments` when available, else the older `settings.getExecutionDetails`.
 */
import * as vscode from 'vscode';
import type { RedactingLog } from './log';

const PYTHON_EXTENSION_ID = 'ms-python.python';

/** The slice of the Python extension's API used here. */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
    resolveEnvironment(environment: {
      path: string;
    }): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined };
    onDidChangeExecutionDetails: vscode.Event<vscode.Uri | undefined>;
  };
}

async function pythonApi(log: RedactingLog): Promise<PythonExtensionApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (!extension) {
    return undefined;
  }
  try {
    return extension.isActive ? extension.exports : await extension.activate();
  } catch (error) {
    log.warn(`The Python extension did not activate: ${String(error)}`);
    return undefined;
  }
}

/** The selected interpreter's command for `resource`, or undefined without the extension. */
export async function selectedInterpreter(
  resource: vscode.Uri | undefined,
  log: RedactingLog,
): Promise<string[] | undefined> {
  const api = await pythonApi(log);
  if (!api) {
    return undefined;
  }
  try {
    if (api.environments) {
      const active = api.environments.getActiveEnvironmentPath(resource);
      const environment = await api.environments.resolveEnvironment(active);
      const executable = environment?.executable.uri?.fsPath;
      if (executable) {
        return [executable];
      }
    }
    const command = api.settings?.getExecutionDetails(resource).execCommand;
    return command && command.length > 0 ? command : undefined;
  } catch (error) {
    log.warn(`Could not ask the Python extension for an interpreter: ${String(error)}`);
    return undefined;
  }
}

/** Calls `listener` whenever the selected interpreter changes. */
export async function onDidChangeInterpreter(
  listener: () => void,
  log: RedactingLog,
): Promise<vscode.Disposable | undefined> {
  const api = await pythonApi(log);
  const event =
    api?.environments?.onDidChangeActiveEnvironmentPath ??
    api?.settings?.onDidChangeExecutionDetails;
  return event?.(() => listener());
}

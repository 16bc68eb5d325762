// Test double of Overleaf Workshop for tests/e2e/test_vscode.py: serves the folder named by
// SKEPTIC_E2E_OVERLEAF_ROOT as overleaf-workshop://www.overleaf.com/Paper/... (query strings
// as the real extension uses them) and opens the project's main.tex.
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const SCHEME = 'overleaf-workshop';
const PROJECT = '/Paper/';
const ROOT = process.env.SKEPTIC_E2E_OVERLEAF_ROOT;

function local(uri) {
  const relative = uri.path.startsWith(PROJECT) ? uri.path.slice(PROJECT.length) : uri.path;
  return path.join(ROOT, relative);
}

function fsCall(uri, call) {
  try {
    return call(local(uri));
  } catch (error) {
    if (error.code === 'ENOENT') {
      throw vscode.FileSystemError.FileNotFound(uri);
    }
    throw error;
  }
}

function fileType(dirent) {
  return dirent.isDirectory() ? vscode.FileType.Directory : vscode.FileType.File;
}

class ProjectFileSystem {
  constructor() {
    this.changes = new vscode.EventEmitter();
    this.onDidChangeFile = this.changes.event;
  }
  watch() {
    return new vscode.Disposable(() => undefined);
  }
  stat(uri) {
    const stat = fsCall(uri, (file) => fs.statSync(file));
    return { type: fileType(stat), ctime: stat.ctimeMs, mtime: stat.mtimeMs, size: stat.size };
  }
  readDirectory(uri) {
    return fsCall(uri, (dir) => fs.readdirSync(dir, { withFileTypes: true })).map((entry) => [
      entry.name,
      fileType(entry),
    ]);
  }
  readFile(uri) {
    return fsCall(uri, (file) => fs.readFileSync(file));
  }
  writeFile(uri, content) {
    fs.writeFileSync(local(uri), content);
    this.changes.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }
  createDirectory(uri) {
    fs.mkdirSync(local(uri));
  }
  delete(uri) {
    fs.rmSync(local(uri), { recursive: true });
  }
  rename(from, to) {
    fs.renameSync(local(from), local(to));
  }
}

exports.activate = async (context) => {
  if (!ROOT) {
    return;
  }
  context.subscriptions.push(
    vscode.workspace.registerFileSystemProvider(SCHEME, new ProjectFileSystem(), {
      isCaseSensitive: true,
    }),
  );
  const main = vscode.Uri.parse(`${SCHEME}://www.overleaf.com${PROJECT}main.tex?user=u1&project=p1`);
  await vscode.window.showTextDocument(main);
};

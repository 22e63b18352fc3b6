// The cronlock extension: starts `cronlock lsp` (the language server built
// into the CLI) and lets vscode-languageclient speak to it. Diagnostics,
// quick fixes, `source.fixAll.cronlock` and suppressions all come from the
// server; this file finds the binary and shows the server's readiness
// verdict (`cronlock/readiness`) in the status bar, whose click opens the
// markdown readiness report (`cronlock/readinessReport`).

import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/** The params of `cronlock/readiness` (docs/editor.md). */
interface Readiness {
  /** The root's URI: a workspace folder, or a file opened outside every folder. */
  root: string;
  ready: boolean;
  /** `READY`, `NOT STARTED`, `UNKNOWN` or `NOT READY`, as the markdown report says. */
  verdict: string;
  /** Lock-decorated classes that have the lock service. */
  complete: number;
  /** Classes with lock-decorated methods. */
  needing: number;
  /** `cronlock: NOT READY 11/38`. */
  label: string;
}

/** The last readiness per root, by the root's file system path. */
const readiness = new Map<string, Readiness>();
let statusItem: vscode.StatusBarItem | undefined;

function fsPath(uri: string): string {
  return vscode.Uri.parse(uri).fsPath;
}

/** Whether `file` is `dir` or inside it. */
function isWithin(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/**
 * The readiness to show: that of the innermost root holding the active
 * editor's file, else the first workspace folder's, else the first received.
 */
function shownReadiness(): Readiness | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === "file") {
    let best: [string, Readiness] | undefined;
    for (const [root, status] of readiness) {
      if (isWithin(active.fsPath, root) && (!best || root.length > best[0].length)) {
        best = [root, status];
      }
    }
    if (best) {
      return best[1];
    }
  }
  const first = vscode.workspace.workspaceFolders?.[0];
  return (first && readiness.get(first.uri.fsPath)) ?? readiness.values().next().value;
}

function updateStatus(): void {
  if (!statusItem) {
    return;
  }
  const status = shownReadiness();
  if (!status) {
    statusItem.hide();
    return;
  }
  statusItem.text = `$(${status.ready ? "check" : "warning"}) ${status.label}`;
  const progress =
    status.needing === 0
      ? "No class uses a lock decorator yet."
      : `${status.complete} of ${status.needing} lock-decorated classes have the lock service.`;
  statusItem.tooltip =
    `cronlock readiness of ${fsPath(status.root)}: ${status.verdict}. ${progress}\n` +
    "Click for the readiness report (what `cronlock check --format markdown` prints).";
  statusItem.show();
}

/** `cronlock.showReadiness`: the report of the root shown, as an untitled markdown document. */
async function showReadiness(): Promise<void> {
  if (!client) {
    void vscode.window.showErrorMessage("cronlock: the language server is not running.");
    return;
  }
  const root = shownReadiness()?.root;
  try {
    const answer = await client.sendRequest<{ markdown: string }>(
      "cronlock/readinessReport",
      root ? { root } : {},
    );
    const document = await vscode.workspace.openTextDocument({
      language: "markdown",
      content: answer.markdown,
    });
    await vscode.window.showTextDocument(document);
    // Rendered beside the text (which stays, to paste into a pull request).
    await vscode.commands.executeCommand("markdown.showPreviewToSide", document.uri);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`cronlock: readiness report: ${message}`);
  }
}

/** The platform package's directory name, as npm/scripts/generate-packages.mjs names it. */
function platformIds(): string[] {
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  switch (process.platform) {
    case "linux":
      return arch === "x64" ? ["linux-x64", "linux-x64-musl"] : ["linux-arm64"];
    case "darwin":
      return [`darwin-${arch}`];
    case "win32":
      return ["win32-x64"];
    default:
      return [];
  }
}

function isFile(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isFile();
  } catch {
    return false;
  }
}

/** `cronlock` on PATH, if any. */
function onPath(): string | undefined {
  const exe = process.platform === "win32" ? "cronlock.exe" : "cronlock";
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && isFile(path.join(dir, exe))) {
      return path.join(dir, exe);
    }
  }
  return undefined;
}

/**
 * As biome's and ruff's extensions do: the `cronlock.path` setting, else the
 * platform binary the workspace's `cronlock` npm package installed (then its
 * launcher in node_modules/.bin), else PATH.
 */
export function findBinary(): string | undefined {
  const configured = vscode.workspace.getConfiguration("cronlock").get<string>("path");
  if (configured) {
    return configured;
  }
  const exe = process.platform === "win32" ? "cronlock.exe" : "cronlock";
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const modules = path.join(folder.uri.fsPath, "node_modules");
    for (const id of platformIds()) {
      const binary = path.join(modules, "@cronlock", `cli-${id}`, exe);
      if (isFile(binary)) {
        return binary;
      }
    }
    const launcher = path.join(modules, ".bin", process.platform === "win32" ? "cronlock.cmd" : "cronlock");
    if (isFile(launcher)) {
      return launcher;
    }
  }
  return onPath();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  readiness.clear();
  updateStatus();
  const binary = findBinary();
  if (!binary) {
    void vscode.window.showErrorMessage(
      "cronlock: no binary found. Install it in the workspace (`npm install --save-dev cronlock`), " +
        "put `cronlock` on your PATH, or set `cronlock.path`.",
    );
    return;
  }
  const server: ServerOptions = { command: binary, args: ["lsp"] };
  const options: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "typescript" }],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher(
        "**/{cronlock.toml,cronlock-baseline.json,tsconfig*.json,package.json}",
      ),
    },
  };
  client = new LanguageClient("cronlock", "cronlock", server, options);
  context.subscriptions.push(client);
  context.subscriptions.push(
    client.onNotification("cronlock/readiness", (status: Readiness) => {
      readiness.set(fsPath(status.root), status);
      updateStatus();
    }),
  );
  await client.start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  statusItem = vscode.window.createStatusBarItem("cronlock.readiness", vscode.StatusBarAlignment.Left);
  statusItem.name = "cronlock readiness";
  statusItem.command = "cronlock.showReadiness";
  context.subscriptions.push(
    statusItem,
    vscode.commands.registerCommand("cronlock.showReadiness", showReadiness),
    vscode.window.onDidChangeActiveTextEditor(updateStatus),
    vscode.workspace.onDidChangeWorkspaceFolders((event) => {
      for (const removed of event.removed) {
        readiness.delete(removed.uri.fsPath);
      }
      updateStatus();
    }),
    vscode.commands.registerCommand("cronlock.restart", async () => {
      await client?.stop();
      client = undefined;
      await start(context);
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

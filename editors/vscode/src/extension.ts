// The cronlock extension: starts `cronlock lsp` (the language server built
// into the CLI) and lets vscode-languageclient speak to it. Diagnostics,
// quick fixes, `source.fixAll.cronlock` and suppressions all come from the
// server; this file only finds the binary.

import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

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
  await client.start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
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

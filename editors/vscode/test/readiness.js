// The status bar and `cronlock.showReadiness` of out/extension.js, run in
// node against stand-ins for the `vscode` API and the language client (VS
// Code itself cannot be downloaded here): the server's `cronlock/readiness`
// notifications become the item's text, and a click sends
// `cronlock/readinessReport` and opens its markdown. Run by test.sh.
"use strict";
const assert = require("assert");
const Module = require("module");

const disposable = { dispose() {} };
const listeners = {};
const commands = {};
const opened = [];
const shown = [];
const executed = [];
const errors = [];
const requests = [];
let notifications = {};
let answer = async () => ({ markdown: "# cronlock readiness report\n" });

const item = {
  text: "",
  tooltip: "",
  visible: false,
  show() {
    this.visible = true;
  },
  hide() {
    this.visible = false;
  },
  dispose() {},
};

const fileUri = (fsPath) => ({ scheme: "file", fsPath });
const vscode = {
  StatusBarAlignment: { Left: 1, Right: 2 },
  Uri: { parse: (uri) => fileUri(decodeURIComponent(uri.replace(/^file:\/\//, ""))) },
  window: {
    activeTextEditor: undefined,
    createStatusBarItem: (id, alignment) => {
      item.id = id;
      item.alignment = alignment;
      return item;
    },
    onDidChangeActiveTextEditor: (f) => ((listeners.editor = f), disposable),
    showErrorMessage: async (message) => void errors.push(message),
    showTextDocument: async (document) => void shown.push(document),
  },
  workspace: {
    workspaceFolders: [{ uri: fileUri("/w/a") }, { uri: fileUri("/w/b") }],
    getConfiguration: () => ({ get: () => "/usr/bin/cronlock" }),
    createFileSystemWatcher: () => disposable,
    onDidChangeWorkspaceFolders: (f) => ((listeners.folders = f), disposable),
    openTextDocument: async (options) => {
      opened.push(options);
      return { uri: "untitled:Untitled-1", ...options };
    },
  },
  commands: {
    registerCommand: (name, f) => ((commands[name] = f), disposable),
    executeCommand: async (...args) => void executed.push(args),
  },
};

class LanguageClient {
  constructor() {
    notifications = {};
  }
  onNotification(method, handler) {
    notifications[method] = handler;
    return disposable;
  }
  sendRequest(method, params) {
    requests.push([method, params]);
    return answer();
  }
  async start() {}
  async stop() {}
  dispose() {}
}

const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === "vscode") return vscode;
  if (request === "vscode-languageclient/node") return { LanguageClient };
  return load.call(this, request, ...rest);
};

const readiness = (root, ready, verdict, complete, needing) => ({
  root,
  ready,
  verdict,
  complete,
  needing,
  label: `cronlock: ${verdict} ${complete}/${needing}`,
});

async function main() {
  const extension = require("../out/extension.js");
  const manifest = require("../package.json");
  await extension.activate({ subscriptions: [] });

  // Every command registered is declared, the status bar's included.
  const declared = manifest.contributes.commands.map((c) => c.command);
  assert.deepStrictEqual(Object.keys(commands).sort(), declared.slice().sort());
  assert.ok(declared.includes("cronlock.showReadiness"));
  assert.strictEqual(item.command, "cronlock.showReadiness");

  // Nothing shown before the server speaks.
  assert.strictEqual(item.visible, false);
  const notify = notifications["cronlock/readiness"];
  assert.ok(notify, "listens to cronlock/readiness");
  notify(readiness("file:///w/a", false, "NOT READY", 11, 38));
  assert.strictEqual(item.visible, true);
  assert.strictEqual(item.text, "$(warning) cronlock: NOT READY 11/38");
  assert.match(item.tooltip, /NOT READY/);
  assert.match(item.tooltip, /11 of 38 lock-decorated classes/);

  // Another folder: the first folder's still shown until an editor of the
  // other one is active.
  notify(readiness("file:///w/b", true, "READY", 2, 2));
  assert.strictEqual(item.text, "$(warning) cronlock: NOT READY 11/38");
  vscode.window.activeTextEditor = { document: { uri: fileUri("/w/b/src/jobs.ts") } };
  listeners.editor();
  assert.strictEqual(item.text, "$(check) cronlock: READY 2/2");
  // Updated in place.
  notify(readiness("file:///w/b", false, "NOT READY", 1, 2));
  assert.strictEqual(item.text, "$(warning) cronlock: NOT READY 1/2");

  // The click: the report of the root shown, as an untitled markdown document.
  await commands["cronlock.showReadiness"]();
  assert.deepStrictEqual(requests, [["cronlock/readinessReport", { root: "file:///w/b" }]]);
  assert.deepStrictEqual(opened, [{ language: "markdown", content: "# cronlock readiness report\n" }]);
  assert.strictEqual(shown.length, 1);
  assert.deepStrictEqual(executed, [["markdown.showPreviewToSide", "untitled:Untitled-1"]]);

  // A refused request is shown, not thrown.
  answer = async () => {
    throw new Error("no such root");
  };
  await commands["cronlock.showReadiness"]();
  assert.deepStrictEqual(errors, ["cronlock: readiness report: no such root"]);

  // A folder removed: its readiness goes with it.
  vscode.window.activeTextEditor = undefined;
  listeners.folders({ added: [], removed: [{ uri: fileUri("/w/a") }] });
  assert.strictEqual(item.text, "$(warning) cronlock: NOT READY 1/2");
  listeners.folders({ added: [], removed: [{ uri: fileUri("/w/b") }] });
  assert.strictEqual(item.visible, false);

  // A restart starts over.
  notify(readiness("file:///w/a", false, "NOT READY", 11, 38));
  await commands["cronlock.restart"]();
  assert.strictEqual(item.visible, false);
  notifications["cronlock/readiness"](readiness("file:///w/a", true, "READY", 38, 38));
  assert.strictEqual(item.text, "$(check) cronlock: READY 38/38");
  console.log("vscode extension: status bar and readiness report behave");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

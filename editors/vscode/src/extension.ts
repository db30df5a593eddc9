// The rivet extension: finds the rivet executable, starts `rivet serve`
// for C, C++ (headers) and Rust files, keeps its settings in step with
// VS Code's, shows its indexing in the status bar, and offers the
// commands Restart Server, Show Output and Re-index.

import * as vscode from 'vscode';
import {
  ClientCapabilities,
  ConfigurationParams,
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  FeatureState,
  LanguageClient,
  LanguageClientOptions,
  Location,
  Position,
  ServerCapabilities,
  ServerOptions,
  State,
  StaticFeature,
  TransportKind,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
} from 'vscode-languageclient/node';

import { installCommand, locateRivet, nodeSystem, notFoundMessage } from './locate';
import { languages, restartSettings, serverArgs, settingsForServer } from './settings';
import { applyProgress, applyStatus, busy, holdMs, ProgressValue, render, Status, StatusParams } from './status';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let statusBar: StatusBar;

/**
 * The command of rivet's code lenses ("used from Rust: N", "called from C:
 * N"), run here with the arguments of editor.action.showReferences in LSP
 * form. rivet attaches it only for clients that say they run it.
 */
const showReferencesCommand = 'rivet.showReferences';

/**
 * The server's workspace/executeCommand commands that the extension
 * registers itself (so that they exist, and say what is wrong, while the
 * server is not running), and that vscode-languageclient must therefore
 * not register again.
 */
const reindexCommand = 'rivet.reindex';
const extensionOwnedServerCommands: readonly string[] = [reindexCommand];

/** rivet's notification of its indexing state (server/workspace.go). */
const statusNotification = 'rivet/status';

/** The status bar item: rivet's state, indexing progress; a click shows the output. */
class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private state: Status = { phase: 'starting' };
  private busySince: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('rivet.status', vscode.StatusBarAlignment.Left, 0);
    this.item.name = 'rivet';
    this.item.command = 'rivet.showOutput';
    this.show();
    this.item.show();
  }

  get current(): Status {
    return this.state;
  }

  set(next: Status): void {
    const now = Date.now();
    if (busy(next) && !busy(this.state)) {
      this.busySince = now;
    }
    this.state = next;
    clearTimeout(this.timer);
    this.timer = undefined;
    const wait = holdMs(next, this.busySince, now);
    if (wait > 0) {
      this.timer = setTimeout(() => this.show(), wait);
    } else {
      this.show();
    }
  }

  private show(): void {
    this.timer = undefined;
    if (!busy(this.state)) {
      this.busySince = undefined;
    }
    const r = render(this.state);
    this.item.text = r.text;
    this.item.tooltip = r.tooltip;
    this.item.accessibilityInformation = { label: r.label, role: 'button' };
    this.item.backgroundColor = r.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.item.dispose();
  }
}

/**
 * What the extension adds to the client: it tells rivet, in
 * capabilities.experimental, which commands VS Code runs; it keeps
 * vscode-languageclient from registering the server commands the
 * extension registers itself; and it takes the work-done progress rivet
 * reports (window/workDoneProgress/create, then $/progress) to the status
 * bar item instead of the client's own window progress.
 */
function clientFeature(c: LanguageClient): StaticFeature {
  return {
    fillClientCapabilities(caps: ClientCapabilities): void {
      caps.experimental = { ...(caps.experimental as object | undefined), commands: { commands: [showReferencesCommand] } };
    },
    preInitialize(caps: ServerCapabilities): void {
      // Runs before every feature's initialize, the ExecuteCommandFeature's
      // included; client.initializeResult keeps the server's list.
      const provider = caps.executeCommandProvider;
      if (provider?.commands) {
        caps.executeCommandProvider = {
          ...provider,
          commands: provider.commands.filter((cmd) => !extensionOwnedServerCommands.includes(cmd)),
        };
      }
    },
    initialize(): void {
      // Runs after the ProgressFeature's initialize: this handler replaces its.
      c.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
        try {
          const d = c.onProgress(WorkDoneProgress.type, token, (value) => {
            statusBar.set(applyProgress(statusBar.current, value as ProgressValue));
            if (value.kind === 'end') {
              d.dispose();
            }
          });
        } catch (err) {
          output.appendLine(`rivet: progress ${String(token)}: ${String(err)}`);
        }
      });
    },
    getState(): FeatureState {
      return { kind: 'static' };
    },
    clear(): void {},
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('rivet');
  statusBar = new StatusBar();
  context.subscriptions.push(
    output,
    statusBar,
    vscode.commands.registerCommand('rivet.restartServer', restart),
    vscode.commands.registerCommand('rivet.showOutput', () => output.show(true)),
    vscode.commands.registerCommand(reindexCommand, reindex),
    vscode.commands.registerCommand(showReferencesCommand, showReferences),
    vscode.workspace.onDidChangeConfiguration(configurationChanged),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

function rivetConfiguration(scope?: vscode.Uri): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('rivet', scope);
}

async function start(): Promise<void> {
  const cfg = rivetConfiguration();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const located = locateRivet(cfg.get<string>('path'), nodeSystem(), folder?.scheme === 'file' ? folder.fsPath : undefined);
  if (!located.found) {
    const message = notFoundMessage(located);
    output.appendLine(message);
    if (located.searched.length > 0) {
      output.appendLine(`Looked for: ${located.searched.join(', ')}`);
    }
    statusBar.set({ phase: 'missing', detail: message });
    void notFound(message);
    return;
  }
  const command = located.path;
  if (located.fallback) {
    output.appendLine(`rivet: not on PATH, using ${command} (where \`go install\` puts it)`);
  }
  const { args } = serverArgs(cfg);
  const serverOptions: ServerOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: languages.map((language) => ({ scheme: 'file', language })),
    initializationOptions: settingsForServer(cfg),
    outputChannel: output, // one channel across restarts, shown by rivet.showOutput
    middleware: {
      workspace: {
        // VS Code would answer with the whole "rivet" section, defaults
        // and the extension's own settings included; rivet wants only
        // what the user set, under its own keys.
        configuration: async (params: ConfigurationParams, token, next) => {
          const answer = await next(params, token);
          if (!Array.isArray(answer)) {
            return answer;
          }
          return params.items.map((item, i) =>
            item.section === 'rivet'
              ? settingsForServer(rivetConfiguration(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined))
              : answer[i],
          );
        },
      },
    },
  };
  const c = new LanguageClient('rivet', 'rivet', serverOptions, clientOptions);
  client = c;
  c.registerFeature(clientFeature(c));
  c.onNotification(statusNotification, (params: StatusParams) => {
    statusBar.set(applyStatus(statusBar.current, params));
  });
  c.onDidChangeState(({ newState }) => {
    if (newState === State.Starting) {
      statusBar.set({ phase: 'starting' });
    } else if (newState === State.Stopped) {
      // Stopped while still the current client: not asked to (a crash,
      // or the client gave up restarting it).
      statusBar.set({ phase: client === c ? 'crashed' : 'stopped' });
    }
  });
  statusBar.set({ phase: 'starting' });
  output.appendLine(`rivet: starting ${command} ${args.join(' ')} --stdio`);
  try {
    await c.start();
  } catch (err) {
    const message = `rivet: cannot start \`${command} ${args.join(' ')}\`: ${String(err)}`;
    statusBar.set({ phase: 'failed', detail: message });
    void vscode.window.showErrorMessage(message, 'Show Output').then((choice) => {
      if (choice === 'Show Output') {
        output.show(true);
      }
    });
  }
}

/** Says that rivet was not found and what to do, with buttons for it. */
async function notFound(message: string): Promise<void> {
  const setPath = 'Set rivet.path';
  const showOutput = 'Show Output';
  const choice = await vscode.window.showErrorMessage(message, setPath, showOutput);
  if (choice === setPath) {
    // In a remote window (SSH, WSL, code-server) rivet runs on the remote
    // machine, and the Settings editor shows rivet.path (machine-overridable)
    // only under the Remote tab.
    if (vscode.env.remoteName) {
      await vscode.commands.executeCommand('workbench.action.openRemoteSettings', { query: 'rivet.path' });
    } else {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'rivet.path');
    }
  } else if (choice === showOutput) {
    output.show(true);
  }
}

/** rivet.reindex: asks the server to build its index again. */
async function reindex(): Promise<void> {
  const c = client;
  if (!c || !c.isRunning()) {
    const restartButton = 'Restart Server';
    const choice = await vscode.window.showWarningMessage(
      'rivet: the server is not running, so there is no index to rebuild. Restart it (it indexes when it starts), or see the output for why it stopped.',
      restartButton,
      'Show Output',
    );
    if (choice === restartButton) {
      await restart();
    } else if (choice) {
      output.show(true);
    }
    return;
  }
  const offered = c.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  if (!offered.includes(reindexCommand)) {
    void vscode.window.showWarningMessage(
      `rivet: this rivet does not offer re-indexing; update it (\`${installCommand}\`), or run "rivet: Restart Server", which indexes again.`,
    );
    return;
  }
  output.appendLine('rivet: re-index requested');
  try {
    await c.sendRequest(ExecuteCommandRequest.type, { command: reindexCommand });
  } catch (err) {
    void vscode.window.showErrorMessage(`rivet: re-index failed: ${String(err)}`, 'Show Output').then((choice) => {
      if (choice) {
        output.show(true);
      }
    });
  }
}

async function showReferences(uri: string, position: Position, locations: Location[]): Promise<void> {
  if (!client) {
    return;
  }
  const p2c = client.protocol2CodeConverter;
  await vscode.commands.executeCommand(
    'editor.action.showReferences',
    p2c.asUri(uri),
    p2c.asPosition(position),
    locations.map((l) => p2c.asLocation(l)),
  );
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (!c) {
    return;
  }
  try {
    await c.dispose();
  } catch (err) {
    output.appendLine(`rivet: stopping the server: ${String(err)}`);
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

async function configurationChanged(e: vscode.ConfigurationChangeEvent): Promise<void> {
  if (restartSettings.some((s) => e.affectsConfiguration(`rivet.${s}`))) {
    await restart();
    return;
  }
  if (e.affectsConfiguration('rivet') && client?.isRunning()) {
    await client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: settingsForServer(rivetConfiguration()),
    });
  }
}

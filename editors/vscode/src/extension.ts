// The rivet extension: starts `rivet serve` for C, C++ (headers) and Rust
// files and keeps its settings in step with VS Code's.

import * as vscode from 'vscode';
import {
  ClientCapabilities,
  ConfigurationParams,
  DidChangeConfigurationNotification,
  FeatureState,
  LanguageClient,
  LanguageClientOptions,
  Location,
  Position,
  ServerOptions,
  StaticFeature,
  TransportKind,
} from 'vscode-languageclient/node';

import { languages, restartSettings, serverArgs, settingsForServer } from './settings';

let client: LanguageClient | undefined;

/**
 * The command of rivet's code lenses ("used from Rust: N", "called from C:
 * N"), run here with the arguments of editor.action.showReferences in LSP
 * form. rivet attaches it only for clients that say they run it.
 */
const showReferencesCommand = 'rivet.showReferences';

/** Tells rivet, in capabilities.experimental, which commands VS Code runs. */
const clientCommands: StaticFeature = {
  fillClientCapabilities(caps: ClientCapabilities): void {
    caps.experimental = { ...(caps.experimental as object | undefined), commands: { commands: [showReferencesCommand] } };
  },
  initialize(): void {},
  getState(): FeatureState {
    return { kind: 'static' };
  },
  clear(): void {},
};

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand('rivet.restartServer', restart),
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
  const { command, args } = serverArgs(cfg);
  const serverOptions: ServerOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: languages.map((language) => ({ scheme: 'file', language })),
    initializationOptions: settingsForServer(cfg),
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
  client = new LanguageClient('rivet', 'rivet', serverOptions, clientOptions);
  client.registerFeature(clientCommands);
  try {
    await client.start();
  } catch (err) {
    void vscode.window.showErrorMessage(
      `rivet: cannot start \`${command} ${args.join(' ')}\` (set rivet.path): ${String(err)}`,
    );
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
  if (c?.isRunning()) {
    await c.stop();
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

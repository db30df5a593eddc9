// How the extension's settings become rivet's settings. This module does
// not import 'vscode' at run time, so that it can be tested with node.

import { clientSettings, serverSettingKeys } from './settings.generated';

export { clientSettings, serverSettingKeys };

/** The languages rivet serves. VS Code opens `.h` files as `cpp`. */
export const languages: readonly string[] = ['c', 'cpp', 'rust'];

/** The settings whose change restarts the server: they shape its command. */
export const restartSettings: readonly string[] = ['path', 'logFile'];

/** Where a setting was set; the shape of vscode.WorkspaceConfiguration.inspect. */
export interface Inspection {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  globalLanguageValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
}

/** The part of vscode.WorkspaceConfiguration (section "rivet") read here. */
export interface SettingsSource {
  get<T>(section: string): T | undefined;
  inspect(section: string): Inspection | undefined;
}

/**
 * Returns the settings to send to rivet (as initializationOptions, in
 * workspace/didChangeConfiguration and in answers to
 * workspace/configuration): the server settings the user set somewhere,
 * under rivet's keys. Settings left at their defaults are not sent, so
 * that the workspace's .rivet.toml stays in force for them (rivet lays
 * the client's settings over the file key by key).
 */
export function settingsForServer(cfg: SettingsSource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { setting, key } of serverSettingKeys) {
    if (isSet(cfg.inspect(setting))) {
      out[key] = cfg.get(setting);
    }
  }
  return out;
}

function isSet(i: Inspection | undefined): boolean {
  return (
    i !== undefined &&
    [
      i.globalValue,
      i.workspaceValue,
      i.workspaceFolderValue,
      i.globalLanguageValue,
      i.workspaceLanguageValue,
      i.workspaceFolderLanguageValue,
    ].some((v) => v !== undefined)
  );
}

/** The command line that starts rivet (VS Code's client appends --stdio). */
export function serverArgs(cfg: SettingsSource): { command: string; args: string[] } {
  const args = ['serve'];
  const logFile = cfg.get<string>('logFile');
  if (logFile) {
    args.push('--log', logFile, '--log-level', 'debug');
  }
  return { command: cfg.get<string>('path') || 'rivet', args };
}

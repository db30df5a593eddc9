// Unit tests of the extension's settings: they run under node's test
// runner (npm test), without VS Code.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  clientSettings,
  Inspection,
  languages,
  restartSettings,
  serverArgs,
  serverSettingKeys,
  settingsForServer,
  SettingsSource,
} from '../src/settings';

// The tests run from out/test; package.json is two levels up.
const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
const contributed: Record<string, { default?: unknown }> = manifest.contributes.configuration.properties;

/** A fake WorkspaceConfiguration: values set by the user, and defaults. */
function source(user: Record<string, unknown>, where: keyof Inspection = 'globalValue'): SettingsSource {
  return {
    get<T>(key: string): T | undefined {
      return (key in user ? user[key] : contributed[`rivet.${key}`]?.default) as T | undefined;
    },
    inspect(key: string): Inspection | undefined {
      return key in user ? { [where]: user[key] } : {};
    },
  };
}

test('every contributed setting is either the extension’s or the server’s', () => {
  const known = new Set([...clientSettings, ...serverSettingKeys.map((s) => s.setting)]);
  const names = Object.keys(contributed).map((k) => k.replace(/^rivet\./, ''));
  assert.deepEqual(names.sort(), [...known].sort());
});

test('server settings are sent under rivet’s snake_case keys', () => {
  for (const { setting, key } of serverSettingKeys) {
    assert.equal(setting.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()), key);
  }
});

test('only settings the user set reach the server', () => {
  assert.deepEqual(settingsForServer(source({})), {});
  const sent = settingsForServer(
    source({
      path: '/opt/rivet/bin/rivet',
      logFile: '/tmp/rivet.log',
      ffiModules: ['uapi'],
      inlayHints: false,
      rules: { 'lifecycle-leak': 'error' },
    }),
  );
  assert.deepEqual(sent, {
    ffi_modules: ['uapi'],
    inlay_hints: false,
    rules: { 'lifecycle-leak': 'error' },
  });
});

test('a value set for a folder or a language counts as set', () => {
  for (const where of ['workspaceValue', 'workspaceFolderValue', 'workspaceLanguageValue'] as const) {
    assert.deepEqual(settingsForServer(source({ exclude: ['tools/**'] }, where)), { exclude: ['tools/**'] }, where);
  }
});

test('the server command line', () => {
  assert.deepEqual(serverArgs(source({})), { command: 'rivet', args: ['serve'] });
  assert.deepEqual(serverArgs(source({ path: '/opt/rivet', logFile: '/tmp/r.log' })), {
    command: '/opt/rivet',
    args: ['serve', '--log', '/tmp/r.log', '--log-level', 'debug'],
  });
  for (const s of restartSettings) {
    assert.ok(clientSettings.includes(s), s);
  }
});

test('the extension activates for every language it serves, headers (cpp) included, and for kernel trees', () => {
  assert.deepEqual(languages, ['c', 'cpp', 'rust']);
  assert.deepEqual(manifest.activationEvents, [
    ...languages.map((l) => `onLanguage:${l}`),
    // The roots rivet looks for (server/initialize.go): a kernel tree, or
    // a tree with rivet's configuration.
    'workspaceContains:**/rust/bindings/bindings_helper.h',
    'workspaceContains:.rivet.toml',
  ]);
});

test('the commands are contributed under the rivet category and registered', () => {
  const commands: { command: string; title: string; category: string }[] = manifest.contributes.commands;
  assert.deepEqual(
    commands.map((c) => `${c.category}: ${c.title} (${c.command})`),
    ['rivet: Restart Server (rivet.restartServer)', 'rivet: Show Output (rivet.showOutput)', 'rivet: Re-index (rivet.reindex)'],
  );
  // Each is registered by the extension (src/extension.ts).
  const source = readFileSync(join(__dirname, '..', '..', 'src', 'extension.ts'), 'utf8');
  for (const { command } of commands) {
    const registered =
      source.includes(`registerCommand('${command}'`) ||
      new RegExp(`const (\\w+) = '${command.replace('.', '\\.')}';[^]*registerCommand\\(\\1,`).test(source);
    assert.ok(registered, `${command} is not registered in src/extension.ts`);
  }
});

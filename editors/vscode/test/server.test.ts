// The settings the extension sends, checked by a real `rivet serve
// --stdio` (the command line VS Code's client runs). The test needs the
// rivet binary in RIVET_BIN; without it, it is skipped.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';

import {
  ConfigurationRequest,
  createProtocolConnection,
  InitializeRequest,
  MessageType,
  ShowMessageNotification,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';

import { serverArgs, serverSettingKeys, settingsForServer, SettingsSource } from '../src/settings';

const rivet = process.env.RIVET_BIN;
const root = resolve(__dirname, '..', '..', '..', '..', 'testdata', 'kernel');

/** A value, other than its default, for every server setting. */
const everySetting: Record<string, unknown> = {
  rules: { 'unsafe-missing-safety': 'warning', 'lifecycle-leak': 'off' },
  include: ['**'],
  exclude: ['tools/**'],
  ffiModules: ['uapi', 'kernel::uapi'],
  target: 'ilp32',
  inlayHints: false,
  codeLens: false,
  lifecycle: {
    pairs: [{ acquire: 'foo_get', release: 'foo_put', kind: 'ref' }],
    borrowed: ['dev_get_drvdata'],
    sleeping: ['foo_wait'],
    atomic: ['foo_lock'],
  },
};

function userSettings(user: Record<string, unknown>): SettingsSource {
  return {
    get: <T>(key: string) => user[key] as T | undefined,
    inspect: (key: string) => (key in user ? { globalValue: user[key] } : {}),
  };
}

/**
 * Runs a session: initialize with settings as initializationOptions,
 * answer workspace/configuration with them too, wait until indexed, shut
 * down. Returns the error messages the server showed.
 */
async function session(settings: Record<string, unknown>): Promise<string[]> {
  const { command, args } = serverArgs(userSettings({ path: rivet }));
  const cache = mkdtempSync(join(tmpdir(), 'rivet-vscode-test-'));
  const proc = spawn(command, [...args, '--stdio'], {
    env: { ...process.env, XDG_CACHE_HOME: cache },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const errors: string[] = [];
  let ready: () => void;
  const indexed = new Promise<void>((r) => (ready = r));
  conn.onNotification(ShowMessageNotification.type, (p) => {
    if (p.type === MessageType.Error) {
      errors.push(p.message);
    }
  });
  conn.onNotification('rivet/status', (p: { state: string }) => {
    if (p.state === 'ready' || p.state === 'idle') {
      ready();
    }
  });
  conn.onRequest(ConfigurationRequest.type, (p) => p.items.map((i) => (i.section === 'rivet' ? settings : null)));
  conn.listen();
  try {
    await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'kernel' }],
      capabilities: { workspace: { configuration: true } },
      initializationOptions: settings,
    });
    await conn.sendNotification('initialized', {});
    await withTimeout(indexed, 30_000, 'rivet/status "ready"');
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
  } finally {
    conn.dispose();
    proc.kill();
    rmSync(cache, { recursive: true, force: true });
  }
  return errors;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

test('rivet accepts every server setting the extension can send', { skip: !rivet && 'RIVET_BIN is not set' }, async () => {
  assert.deepEqual(
    Object.keys(everySetting).sort(),
    serverSettingKeys.map((s) => s.setting).sort(),
    'everySetting must give a value to every server setting',
  );
  const errors = await session(settingsForServer(userSettings(everySetting)));
  assert.deepEqual(errors, []);
});

test('rivet rejects settings under VS Code’s names (the control)', { skip: !rivet && 'RIVET_BIN is not set' }, async () => {
  const errors = await session({ inlayHints: false });
  assert.ok(errors.length > 0, 'no error shown');
  for (const e of errors) {
    assert.match(e, /inlayHints/);
  }
});

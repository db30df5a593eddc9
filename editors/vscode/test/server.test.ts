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
  ExecuteCommandRequest,
  InitializeRequest,
  MessageType,
  ShowMessageNotification,
  StreamMessageReader,
  StreamMessageWriter,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
} from 'vscode-languageserver-protocol/node';

import { serverArgs, serverSettingKeys, settingsForServer, SettingsSource } from '../src/settings';
import { applyProgress, applyStatus, initialStatus, ProgressValue, render, Status, StatusParams, thousands } from '../src/status';

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

test(
  'the status bar follows rivet through indexing and a rivet.reindex',
  { skip: !rivet && 'RIVET_BIN is not set' },
  async () => {
    const { command, args } = serverArgs(userSettings({ path: rivet }));
    const cache = mkdtempSync(join(tmpdir(), 'rivet-vscode-test-'));
    const proc = spawn(command, [...args, '--stdio'], {
      env: { ...process.env, XDG_CACHE_HOME: cache },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    // What the extension does with rivet/status and work-done progress.
    let status: Status = initialStatus;
    const shown: string[] = [];
    const show = (next: Status) => {
      status = next;
      const label = render(status).label;
      if (shown[shown.length - 1] !== label) {
        shown.push(label);
      }
    };
    let waiting: { state: string; resolve: () => void } | undefined;
    const reach = (state: string) => new Promise<void>((resolve) => (waiting = { state, resolve }));
    conn.onNotification('rivet/status', (p: StatusParams) => {
      show(applyStatus(status, p));
      if (waiting && p.state === waiting.state) {
        waiting.resolve();
      }
    });
    let progressTokens = 0;
    conn.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
      progressTokens++;
      conn.onProgress(WorkDoneProgress.type, token, (v) => show(applyProgress(status, v as ProgressValue)));
      return null;
    });
    conn.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => null));
    conn.listen();
    try {
      const init = await conn.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: pathToFileURL(root).href,
        workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'kernel' }],
        capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } },
      });
      assert.deepEqual(init.capabilities.executeCommandProvider?.commands, ['rivet.reindex']);
      let idle = reach('idle');
      await conn.sendNotification('initialized', {});
      await withTimeout(idle, 30_000, 'rivet/status "idle"');
      const first = shown.slice();
      assert.match(first[0], /^rivet: indexing/);
      assert.match(first[first.length - 1], /^rivet: index ready, \d+ files in /);
      assert.equal(render(status).text, '$(check) rivet');
      const files = status.files;
      assert.ok(files && files > 0, `files: ${files}`);

      // Re-index: the command with no arguments, as the extension sends it.
      shown.length = 0;
      idle = reach('idle');
      const answer = await conn.sendRequest(ExecuteCommandRequest.type, { command: 'rivet.reindex' });
      assert.equal(answer, null);
      await withTimeout(idle, 30_000, 'rivet/status "idle" after rivet.reindex');
      assert.match(shown[0], /^rivet: indexing/, shown.join(' | '));
      assert.ok(shown.some((l) => l.endsWith(', background work running')), shown.join(' | '));
      assert.equal(shown[shown.length - 1], render(status).label);
      assert.match(shown[shown.length - 1], new RegExp(`^rivet: index ready, ${thousands(files)} files in `));
      assert.equal(progressTokens, 2, 'one work-done progress per build');

      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
    } finally {
      conn.dispose();
      proc.kill();
      rmSync(cache, { recursive: true, force: true });
    }
  },
);

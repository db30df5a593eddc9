// Unit tests of the status bar item (src/status.ts): what rivet/status
// and work-done progress make of it. They run under node's test runner
// (npm test), without VS Code.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { applyProgress, applyStatus, duration, holdMs, initialStatus, render, Status, thousands } from '../src/status';

test('a session: starting, indexing with progress, ready, idle', () => {
  let s: Status = initialStatus;
  assert.equal(render(s).text, '$(sync~spin) rivet: starting');

  s = applyStatus(s, { state: 'indexing' });
  assert.equal(render(s).text, '$(sync~spin) rivet: indexing');

  s = applyProgress(s, { kind: 'begin', title: 'rivet: indexing', message: 'listing files', percentage: 0 });
  assert.equal(render(s).text, '$(sync~spin) rivet: indexing 0%');
  s = applyProgress(s, { kind: 'report', message: '1,234/12,345 files', percentage: 13.5 });
  let r = render(s);
  assert.equal(r.text, '$(sync~spin) rivet: indexing 12,345 files, 14%');
  assert.equal(r.label, 'rivet: indexing 12,345 files, 14%');
  assert.match(r.tooltip, /^rivet is indexing the workspace: 1,234\/12,345 files \(14%\)\n/);
  assert.match(r.tooltip, /Click to show the output\.$/);
  assert.equal(r.error, false);
  // A later phase's message keeps the file count.
  s = applyProgress(s, { kind: 'report', message: 'parsing the C declarations of 812 names Rust uses', percentage: 90 });
  assert.equal(render(s).text, '$(sync~spin) rivet: indexing 12,345 files, 90%');
  // The end of progress does not make the index ready: rivet/status does.
  s = applyProgress(s, { kind: 'end', message: 'indexed 12,345 files' });
  assert.equal(s.phase, 'indexing');

  s = applyStatus(s, { state: 'ready', files: 12345, seconds: 6.23 });
  r = render(s);
  assert.equal(r.text, '$(check) rivet');
  assert.equal(r.label, 'rivet: index ready, 12,345 files in 6.2 s, background work running');
  assert.match(r.tooltip, /^rivet: index ready, 12,345 files in 6\.2 s\nSaving the facts cache/);

  // idle has no counts of its own: those of ready stay.
  s = applyStatus(s, { state: 'idle' });
  r = render(s);
  assert.equal(r.text, '$(check) rivet');
  assert.equal(r.label, 'rivet: index ready, 12,345 files in 6.2 s');
  assert.equal(r.tooltip, 'rivet: index ready, 12,345 files in 6.2 s\nClick to show the output.');
});

test('a new build starts its counts again; progress outside a build changes nothing', () => {
  let s = applyStatus(initialStatus, { state: 'ready', files: 3, seconds: 0.04 });
  s = applyStatus(s, { state: 'idle' });
  assert.equal(applyProgress(s, { kind: 'report', message: '1/2 files', percentage: 50 }), s);
  s = applyStatus(s, { state: 'indexing' });
  assert.deepEqual(s, { phase: 'indexing', detail: undefined });
  assert.equal(render(s).text, '$(sync~spin) rivet: indexing');
  // Unknown states are ignored.
  assert.equal(applyStatus(s, { state: 'dreaming' }), s);
  // One file, a server message.
  s = applyStatus(s, { state: 'ready', files: 1, seconds: 0.01, message: 'no kernel tree: indexing the folder' });
  assert.equal(render(s).label, 'rivet: index ready, 1 file in 10 ms, background work running');
  assert.match(render(s).tooltip, /\nno kernel tree: indexing the folder\n/);
  // Progress before the first rivet/status (starting) counts as indexing.
  assert.equal(applyProgress(initialStatus, { kind: 'begin', message: 'listing files', percentage: 0 }).phase, 'indexing');
});

test('errors: crashed, failed, missing are shown as errors', () => {
  const missing = render({ phase: 'missing', detail: 'rivet: the rivet executable was not found on PATH. Install it ...' });
  assert.equal(missing.text, '$(error) rivet: not found');
  assert.equal(missing.error, true);
  assert.match(missing.tooltip, /^rivet: the rivet executable was not found on PATH\. Install it/);
  const crashed = render({ phase: 'crashed' });
  assert.equal(crashed.text, '$(error) rivet: stopped');
  assert.equal(crashed.error, true);
  assert.match(crashed.tooltip, /Restart Server/);
  const failed = render({ phase: 'failed', detail: 'spawn EACCES' });
  assert.equal(failed.text, '$(error) rivet: failed to start');
  assert.match(failed.tooltip, /spawn EACCES/);
  const stopped = render({ phase: 'stopped' });
  assert.equal(stopped.error, false);
});

test('a quick build stays on screen long enough to read', () => {
  const ready: Status = { phase: 'ready', files: 3 };
  assert.equal(holdMs(ready, 1000, 1100), 500);
  assert.equal(holdMs(ready, 1000, 1700), 0);
  assert.equal(holdMs(ready, undefined, 1100), 0);
  assert.equal(holdMs({ phase: 'indexing' }, 1000, 1100), 0); // busy states show at once
  assert.equal(holdMs({ phase: 'crashed' }, 1000, 1100), 0); // and errors
  assert.equal(holdMs({ phase: 'missing' }, 1000, 1100), 0);
  assert.equal(holdMs({ phase: 'failed' }, 1000, 1100), 0);
});

test('numbers as rivet writes them', () => {
  assert.equal(thousands(0), '0');
  assert.equal(thousands(999), '999');
  assert.equal(thousands(1234567), '1,234,567');
  assert.equal(duration(0.04), '40 ms');
  assert.equal(duration(0.4), '0.4 s');
  assert.equal(duration(6.25), '6.3 s');
  assert.equal(duration(42.4), '42 s');
  assert.equal(duration(72), '1 min 12 s');
});

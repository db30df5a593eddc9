// Unit tests of finding the rivet executable (src/locate.ts): they run
// under node's test runner (npm test), without VS Code, on a fake file
// system and on a real temporary directory.

import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { expandHome, goBinDirs, installCommand, locateRivet, nodeSystem, notFoundMessage, System } from '../src/locate';

/** A fake Linux system: env, and the executables and plain files that exist. */
function fake(env: Record<string, string>, executables: string[], files: string[] = []): System {
  return {
    env,
    platform: 'linux',
    isExecutable: (f) => executables.includes(f),
    exists: (f) => executables.includes(f) || files.includes(f),
  };
}

const home = '/home/k';

test('the default finds rivet on PATH, in PATH order', () => {
  const sys = fake({ PATH: '/usr/bin:/opt/a:/opt/b', HOME: home }, ['/opt/b/rivet', '/opt/a/rivet']);
  for (const setting of [undefined, '', '  ', 'rivet']) {
    const r = locateRivet(setting, sys);
    assert.deepEqual(r, { found: true, path: '/opt/a/rivet', searched: ['/usr/bin/rivet', '/opt/a/rivet'], fallback: false });
  }
});

test('a name in rivet.path is looked up on PATH; ~ in PATH entries is expanded', () => {
  const sys = fake({ PATH: '/usr/bin:~/bin', HOME: home }, ['/home/k/bin/rivet-dev']);
  const r = locateRivet('rivet-dev', sys);
  assert.equal(r.found && r.path, '/home/k/bin/rivet-dev');
});

test('an absolute rivet.path is used as it is, ~ expanded', () => {
  const sys = fake({ PATH: '/usr/bin', HOME: home }, ['/home/k/go/bin/rivet', '/srv/rivet']);
  assert.equal(locateRivet('/srv/rivet', sys).found, true);
  const r = locateRivet('~/go/bin/rivet', sys);
  assert.deepEqual(r, { found: true, path: '/home/k/go/bin/rivet', searched: ['/home/k/go/bin/rivet'], fallback: false });
  assert.equal(expandHome('~', home), home);
  assert.equal(expandHome('~user/x', home), '~user/x'); // only the user's own home
  assert.equal(expandHome('~/x', undefined), '~/x');
});

test('a relative rivet.path with a directory is taken from the workspace folder', () => {
  const sys = fake({ PATH: '/usr/bin', HOME: home }, ['/src/linux/tools/rivet']);
  const r = locateRivet('./tools/rivet', sys, '/src/linux');
  assert.equal(r.found && r.path, '/src/linux/tools/rivet');
});

test('without rivet on PATH, the default looks where go install puts it', () => {
  const sys = fake({ PATH: '/usr/bin', HOME: home }, ['/home/k/go/bin/rivet']);
  const r = locateRivet(undefined, sys);
  assert.deepEqual(r, {
    found: true,
    path: '/home/k/go/bin/rivet',
    searched: ['/usr/bin/rivet', '/home/k/go/bin/rivet'],
    fallback: true,
  });
  assert.deepEqual(goBinDirs(fake({ GOPATH: '/g1:/g2', HOME: home }, [])), ['/g1/bin', '/g2/bin']);
  assert.deepEqual(goBinDirs(fake({ GOBIN: '/gb', GOPATH: '/g1', HOME: home }, [])), ['/gb']);
  // A name the user chose is not looked for there.
  assert.equal(locateRivet('rivet-dev', fake({ PATH: '/usr/bin', HOME: home }, ['/home/k/go/bin/rivet-dev'])).found, false);
});

test('not found: the message says what to do', () => {
  const sys = fake({ PATH: '/usr/bin:/bin', HOME: home }, [], ['/opt/rivet']);
  const def = locateRivet(undefined, sys);
  assert.equal(def.found, false);
  if (def.found) return;
  assert.deepEqual(def.searched, ['/usr/bin/rivet', '/bin/rivet', '/home/k/go/bin/rivet']);
  const msg = notFoundMessage(def);
  assert.match(msg, /^rivet: the rivet executable was not found on PATH\. /);
  assert.ok(msg.includes(`\`${installCommand}\``), msg);
  assert.ok(msg.includes('set rivet.path'), msg);
  assert.equal(installCommand, 'go install github.com/rivet-lsp/rivet@latest');

  const name = locateRivet('rivet-dev', sys);
  assert.ok(!name.found && name.reason === 'not-on-path');
  assert.match(notFoundMessage(name as never), /rivet\.path is "rivet-dev", which was not found on PATH/);

  const absent = locateRivet('/nowhere/rivet', sys);
  assert.ok(!absent.found && absent.reason === 'absent');
  assert.match(notFoundMessage(absent as never), /rivet\.path is "\/nowhere\/rivet", which does not exist\. Install it/);

  const plain = locateRivet('/opt/rivet', sys);
  assert.ok(!plain.found && plain.reason === 'not-executable');
  assert.match(notFoundMessage(plain as never), /which is not an executable file\. Make it executable \(chmod \+x\), or install it/);
});

test('Windows: PATHEXT extensions and ; between PATH entries', () => {
  const sys: System = {
    env: { Path: 'C:\\Go\\bin;C:\\tools', PATHEXT: '.COM;.EXE', USERPROFILE: 'C:\\Users\\k' },
    platform: 'win32',
    isExecutable: (f) => f === 'C:\\tools\\rivet.exe',
    exists: () => false,
  };
  const r = locateRivet(undefined, sys);
  assert.equal(r.found && r.path, 'C:\\tools\\rivet.exe');
});

test('the real file system: executable files only, not directories or plain files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rivet-locate-'));
  try {
    const [a, b, c] = ['a', 'b', 'c'].map((d) => join(dir, d));
    for (const d of [a, b, c]) mkdirSync(d);
    mkdirSync(join(a, 'rivet')); // a directory named rivet
    writeFileSync(join(b, 'rivet'), 'not executable');
    chmodSync(join(b, 'rivet'), 0o644);
    writeFileSync(join(c, 'rivet'), '#!/bin/sh\n');
    chmodSync(join(c, 'rivet'), 0o755);
    const sys = { ...nodeSystem(), env: { PATH: [a, b, c].join(':'), HOME: dir } };
    const r = locateRivet(undefined, sys);
    assert.equal(r.found && r.path, join(c, 'rivet'));
    const plain = locateRivet(join(b, 'rivet'), sys);
    assert.ok(!plain.found && plain.reason === 'not-executable');
    const none = locateRivet(undefined, { ...sys, env: { PATH: [a, b].join(':'), HOME: dir } });
    assert.equal(none.found, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

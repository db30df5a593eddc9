// Checks a .vsix, unpacked into DIR, before it is installed:
//
//   node manifest.js DIR VSCODE_VERSION
//
// extension/package.json has the name, publisher, engine (satisfied by
// VSCODE_VERSION, the VS Code that code-server runs), activation events,
// settings and commands the extension relies on; its main file and its
// run-time dependencies are in the package; its sources, tests and this e2e
// directory are not. Also the .vsixmanifest agrees with package.json.
// Prints one line per check; exits 1 when one failed.
'use strict';

const fs = require('fs');
const path = require('path');

const [dir, vscodeVersion] = process.argv.slice(2);
if (!dir || !vscodeVersion) {
  console.error('usage: node manifest.js DIR VSCODE_VERSION');
  process.exit(2);
}
let failed = 0;
function check(name, ok, detail) {
  console.log(ok ? `ok   ${name}` : `FAIL ${name}: ${detail}`);
  if (!ok) failed++;
}

/** Every file under root, as paths relative to it with / separators. */
function files(root) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(root, p).split(path.sep).join('/'));
    }
  };
  walk(root);
  return out;
}

/** Whether version x.y.z satisfies a ^x.y.z range (the form vsce accepts for engines.vscode). */
function caretSatisfies(range, version) {
  const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  const v = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m || !v) return false;
  const [a, b] = [m.slice(1).map(Number), v.slice(1).map(Number)];
  if (a[0] !== b[0]) return false;
  return b[1] > a[1] || (b[1] === a[1] && b[2] >= a[2]);
}

const ext = path.join(dir, 'extension');
const all = files(dir);
const pkg = JSON.parse(fs.readFileSync(path.join(ext, 'package.json'), 'utf8'));

check('name is rivet', pkg.name === 'rivet', pkg.name);
check('publisher is rivet-lsp', pkg.publisher === 'rivet-lsp', pkg.publisher);
check(
  `engines.vscode ${pkg.engines && pkg.engines.vscode} admits VS Code ${vscodeVersion}`,
  pkg.engines && caretSatisfies(pkg.engines.vscode, vscodeVersion),
  JSON.stringify(pkg.engines),
);
for (const event of [
  'onLanguage:c',
  'onLanguage:cpp',
  'onLanguage:rust',
  'workspaceContains:**/rust/bindings/bindings_helper.h',
  'workspaceContains:.rivet.toml',
]) {
  check(`activationEvents has ${event}`, (pkg.activationEvents || []).includes(event), JSON.stringify(pkg.activationEvents));
}

const props = (pkg.contributes && pkg.contributes.configuration && pkg.contributes.configuration.properties) || {};
const generated = require(path.resolve(ext, 'out/src/settings.generated.js'));
const want = [
  ...generated.clientSettings.map((s) => `rivet.${s}`),
  ...generated.serverSettingKeys.map((k) => `rivet.${k.setting}`),
];
const missing = want.filter((s) => !(s in props));
check(`contributes.configuration has the ${want.length} settings`, missing.length === 0, `missing ${missing.join(', ')}`);
const commands = (pkg.contributes && pkg.contributes.commands) || [];
for (const [command, title] of [
  ['rivet.restartServer', 'Restart Server'],
  ['rivet.showOutput', 'Show Output'],
  ['rivet.reindex', 'Re-index'],
]) {
  check(
    `contributes.commands has ${command} ("rivet: ${title}")`,
    commands.some((c) => c.command === command && c.title === title && c.category === 'rivet'),
    JSON.stringify(commands),
  );
}

let main = path.posix.normalize(path.posix.join('extension', pkg.main || ''));
if (!main.endsWith('.js')) main += '.js';
check(`main file ${main} is in the package`, all.includes(main), 'absent');
for (const dep of Object.keys(pkg.dependencies || {})) {
  const p = `extension/node_modules/${dep}/package.json`;
  check(`dependency ${dep} is in the package`, all.includes(p), `no ${p}`);
}
const stray = all.filter(
  (f) =>
    /^extension\/(src|test|e2e|gensettings|out\/test)\//.test(f) ||
    (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) ||
    (/\.map$/.test(f) && !f.includes('/node_modules/')),
);
check('no sources, tests, e2e files or source maps in the package', stray.length === 0, stray.slice(0, 10).join(', '));

const vsixManifest = fs.readFileSync(path.join(dir, 'extension.vsixmanifest'), 'utf8');
const identity = /<Identity [^>]*Id="([^"]*)" Version="([^"]*)" Publisher="([^"]*)"/.exec(vsixManifest);
check(
  'extension.vsixmanifest names the same extension and version',
  identity && identity[1] === pkg.name && identity[2] === pkg.version && identity[3] === pkg.publisher,
  identity ? identity[0] : 'no Identity',
);

console.log(`manifest: ${pkg.publisher}.${pkg.name} ${pkg.version}, ${all.length} files, ${failed} failed`);
process.exit(failed ? 1 : 0);

// The rivet extension inside a real VS Code (code-server), driven through
// Chromium by playwright-core. run.sh sets everything up and calls:
//
//   NODE_PATH=.../node_modules node test.js
//
// with CODE_SERVER_URL (code-server's address, the extension installed,
// rivet.path set), WORKSPACE (a copy of the scenario's root),
// SCENARIO (editors/test/scenario.json), ARTIFACTS (a directory for the
// failure screenshot and dumps), SCREENSHOT (where to write the
// screenshot of rivet's problems and hover) and, optionally, CHECK_JSON
// (`rivet check --format json` run in WORKSPACE).
//
// It drives the shared scenario as the Neovim and Emacs tests do: open
// the file, expect rivet's diagnostics (source, code, severity) in the
// Problems panel on exactly the marked lines, and every report rivet
// check gives for the file and no other; hover the bindings:: name
// and expect the C prototype and its kernel-doc, go to its definition
// in C, and last apply the rivet:allow quick fix to the first marked line
// and expect that diagnostic gone. Before the hover it checks rivet's
// status bar item (ready), runs "rivet: Re-index" from the command
// palette and expects the item to go through indexing back to ready, the
// server's log to show the rebuild, no error, and the same problems. Last,
// it points rivet.path nowhere in the Settings editor and expects the
// error that says what to do, its buttons, "rivet: not found" in the
// status bar, and Set rivet.path opening the Settings editor there. It prints one line per check and exits 0 when all
// passed, 1 when a check failed, 2 when the test itself could not run.
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`test.js: ${name} is not set`);
    process.exit(2);
  }
  return v;
};
const url = env('CODE_SERVER_URL').replace(/\/$/, '');
const workspace = env('WORKSPACE');
const scenario = JSON.parse(fs.readFileSync(env('SCENARIO'), 'utf8'));
const artifacts = env('ARTIFACTS');
const screenshot = env('SCREENSHOT');
const timeout = (scenario.timeout_seconds || 60) * 1000;

const counts = { passed: 0, failed: 0 };
function check(name, ok, detail) {
  if (ok) {
    counts.passed++;
    console.log(`ok   ${name}`);
  } else {
    counts.failed++;
    console.log(`FAIL ${name}: ${detail}`);
  }
  return ok;
}

/** The 1-based numbers of the lines of text that contain needle. */
function linesContaining(text, needle) {
  const out = [];
  text.split('\n').forEach((line, i) => {
    if (line.includes(needle)) out.push(i + 1);
  });
  return out;
}

/** Polls fn until it returns a truthy value or ms pass; returns the last value. */
async function poll(fn, ms) {
  const end = Date.now() + ms;
  let v;
  for (;;) {
    v = await fn();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function dump(page, what) {
  const file = path.join(artifacts, `failure-${what}.png`);
  await page.screenshot({ path: file }).catch(() => {});
  for (const [name, sel] of [
    ['problems panel', '.markers-panel'],
    ['hover', '.monaco-hover:not(.hidden)'],
    ['notifications', '.notifications-toasts'],
    ['status bar', '.statusbar'],
  ]) {
    const text = await page
      .locator(sel)
      .first()
      .innerText({ timeout: 1000 })
      .catch(() => '(absent)');
    console.log(`--- ${name} (${what}):\n${text}`);
  }
  console.log(`--- screenshot: ${file}`);
}

/** Opens a file of the workspace with Quick Open and waits for its tab. */
async function openFile(page, rel) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(rel);
  const base = path.basename(rel);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: base })
    .first()
    .waitFor({ state: 'visible', timeout });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: base }).waitFor({ state: 'visible', timeout });
  await page.locator('.monaco-editor.focused').waitFor({ state: 'visible', timeout });
}

/** Runs a command by its title through the command palette. */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(`>${title}`);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: title })
    .first()
    .waitFor({ state: 'visible', timeout });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout });
}

/** Places the cursor at 1-based line and column with Go to Line. */
async function goTo(page, line, col) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(`:${line}:${col}`); // ":" keeps it Go to Line
  await page.keyboard.press('Enter');
  const there = await poll(
    async () =>
      (await page.locator('.statusbar').innerText().catch(() => '')).includes(`Ln ${line}, Col ${col}`),
    timeout,
  );
  if (!there) {
    throw new Error(`Go to Line ${line}:${col} did not move the cursor there`);
  }
}

/** The rows of the Problems panel: aria-label (severity, message, line, source) and text (code). */
async function problemRows(page) {
  return page
    .locator('.markers-panel .monaco-list-row')
    .evaluateAll((rows) => rows.map((r) => ({ label: r.getAttribute('aria-label') || '', text: r.innerText })));
}

/**
 * Records every state rivet's status bar item shows (its aria-label,
 * "rivet: ..."), in window.__rivetStatus, with a MutationObserver: a
 * state shown between two polls is not missed.
 */
async function watchStatus(page) {
  await page.evaluate(() => {
    const seen = (window.__rivetStatus = []);
    const record = (el) => {
      const label = el.getAttribute && el.getAttribute('aria-label');
      if (label && label.startsWith('rivet:') && seen[seen.length - 1] !== label) {
        seen.push(label);
      }
    };
    const root = document.querySelector('.part.statusbar') || document.body;
    root.querySelectorAll('[aria-label]').forEach(record);
    new MutationObserver((mutations) => {
      for (const m of mutations) {
        if (m.type === 'attributes') {
          record(m.target);
        } else {
          for (const n of m.addedNodes) {
            if (n.nodeType === 1) {
              record(n);
              n.querySelectorAll('[aria-label]').forEach(record);
            }
          }
        }
      }
    }).observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label'] });
  });
}

/** The states rivet's status bar item has shown since watchStatus. */
async function statusHistory(page) {
  return page.evaluate(() => window.__rivetStatus.slice());
}

/** rivet's status bar item now: its aria-label, text and codicons; null when absent. */
async function rivetStatus(page) {
  return page
    .locator('.statusbar-item[aria-label^="rivet:"]')
    .first()
    .evaluate(
      (el) => ({
        label: el.getAttribute('aria-label'),
        text: el.innerText.trim(),
        icons: [...el.querySelectorAll('.codicon')].map((i) => i.className).join(' '),
      }),
      null,
      { timeout: 1000 },
    )
    .catch(() => null);
}

/** The text of the notification toasts that mention rivet. */
async function rivetNotifications(page) {
  return page
    .locator('.notifications-toasts .notification-toast')
    .evaluateAll((ts) => ts.map((t) => t.innerText).filter((t) => /rivet/i.test(t)))
    .catch(() => []);
}

/** The lines of rivet's log (rivet.logFile) that match re. */
function logLines(re) {
  const file = path.join(artifacts, 'rivet.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => re.test(l)) : [];
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(timeout);
  let step = 'load';
  try {
    const t0 = Date.now();
    await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 2 * timeout });
    await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout });
    check(`VS Code ${await page.evaluate(() => document.title)} loaded`, true);
    await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout });
    await watchStatus(page);

    step = 'open';
    const file = path.join(workspace, scenario.file);
    const text = fs.readFileSync(file, 'utf8');
    await openFile(page, scenario.file);
    check(`${scenario.file} opened`, true);

    // Problems: rivet's rows for the scenario's code, in this file.
    step = 'problems';
    const d = scenario.diagnostics;
    const want = linesContaining(text, d.marker);
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel').waitFor({ state: 'visible', timeout });
    // The panel draws only the rows it has room for: maximized, it has
    // room for them all.
    await runCommand(page, 'View: Toggle Maximized Panel');
    const base = path.basename(scenario.file);
    let rows = [];
    /** rivet's problems in the file: line, severity and code. */
    const reported = async () => {
      rows = await problemRows(page);
      return rows
        .filter((r) => r.label.endsWith(`generated by ${d.source}`))
        .map((r) => {
          const m = /at line (\d+) and character \d+/.exec(r.label);
          const code = r.text.split('\n').find((l) => /^[a-z]+(-[a-z]+)+$/.test(l.trim()));
          return { line: m ? Number(m[1]) : 0, sev: r.label.split(':')[0], code: code ? code.trim() : '' };
        });
    };
    const rowDump = () => rows.map((r) => '  ' + r.label).join('\n');
    const sev = { error: 'Error', warning: 'Warning', info: 'Info', hint: 'Hint' }[d.severity];
    let got = [];
    const ok = await poll(async () => {
      got = (await reported()).filter((g) => g.code === d.code);
      const lines = got.map((g) => g.line).sort((a, b) => a - b);
      return JSON.stringify(lines) === JSON.stringify(want) && got.every((g) => g.sev === sev);
    }, timeout);
    const detail = `want ${d.source} ${d.code} (${sev}) on lines ${want.join(', ')}, got ${JSON.stringify(got)}; rows:\n${rowDump()}`;
    if (!check(`Problems panel lists ${d.source}'s ${d.code} (${d.severity}) on lines ${want.join(', ')}`, ok, detail)) {
      await dump(page, 'problems');
    }

    // And the panel agrees with rivet check on the file: every report, at
    // its line, and no other (the file's row counts its problems).
    if (process.env.CHECK_JSON) {
      const expect = JSON.parse(fs.readFileSync(process.env.CHECK_JSON, 'utf8'))
        .filter((r) => r.file === scenario.file)
        .map((r) => `${r.code}@${r.line}`)
        .sort();
      let seen = [];
      let total = -1;
      const agree = await poll(async () => {
        seen = (await reported()).map((g) => `${g.code}@${g.line}`).sort();
        const fileRow = rows.find((r) => r.label.includes(` in file ${base} `));
        total = fileRow ? Number((/^(\d+) problems?/.exec(fileRow.label) || [])[1] ?? -1) : -1;
        return JSON.stringify(seen) === JSON.stringify(expect) && total === expect.length;
      }, timeout);
      if (
        !check(
          `Problems panel has the ${expect.length} reports rivet check gives for ${base}`,
          agree,
          `rivet check: ${expect.join(' ')}; panel (${total} in the file): ${seen.join(' ')}; rows:\n${rowDump()}`,
        )
      ) {
        await dump(page, 'problems-check');
      }
    }
    console.log(`     (${Date.now() - t0} ms since load)`);

    // The status bar: rivet's item reaches its ready text, a check mark
    // ("rivet: index ready, N files in S" for screen readers and the
    // tooltip).
    step = 'status bar';
    const readyLabel = /^rivet: index ready, [\d,]+ files? in /;
    let item = null;
    const readyNow = async () => {
      item = await rivetStatus(page);
      return item && readyLabel.test(item.label) && item.text === 'rivet' && item.icons.includes('codicon-check');
    };
    if (
      !check(
        'the status bar shows rivet ready ($(check) rivet)',
        await poll(readyNow, timeout),
        `item: ${JSON.stringify(item)}; states shown: ${JSON.stringify(await statusHistory(page))}`,
      )
    ) {
      await dump(page, 'status-bar');
    } else {
      console.log(`     ${item.label}`);
    }

    // rivet: Re-index from the command palette: the item goes through
    // indexing (a spinner) back to ready, the server rebuilt its index
    // (its log says so), no error anywhere, and the Problems panel has
    // the same reports.
    step = 're-index';
    const mark = (await statusHistory(page)).length;
    const builds = logLines(/ msg=indexed /).length;
    await runCommand(page, 'rivet: Re-index');
    let states = [];
    let sawSpinner = false;
    const cycled = await poll(async () => {
      states = (await statusHistory(page)).slice(mark);
      const now = await rivetStatus(page);
      if (now && now.icons.includes('codicon-sync')) sawSpinner = true;
      const i = states.findIndex((l) => l.startsWith('rivet: indexing'));
      return i >= 0 && states.slice(i + 1).some((l) => readyLabel.test(l)) && (await readyNow());
    }, timeout);
    const bad = states.filter((l) => !(l.startsWith('rivet: indexing') || readyLabel.test(l)));
    if (
      !check(
        `"rivet: Re-index" takes the status bar through indexing back to ready`,
        cycled && bad.length === 0,
        `states shown after the command: ${JSON.stringify(states)}; now: ${JSON.stringify(item)}`,
      )
    ) {
      await dump(page, 're-index');
    } else {
      console.log(`     ${states.join(' -> ')}${sawSpinner ? ' (spinner seen)' : ''}`);
    }
    const rebuilt = await poll(async () => logLines(/ msg=indexed /).length > builds, timeout);
    check(
      'rivet rebuilt its index on request (its log)',
      rebuilt && logLines(/re-indexing on request/).length === 1,
      `indexed ${logLines(/ msg=indexed /).length - builds} more times; "re-indexing on request" ${logLines(/re-indexing on request/).length} times`,
    );
    const toasts = await rivetNotifications(page);
    const errors = logLines(/ level=ERROR /);
    check('no rivet notification and no error in rivet\'s log', toasts.length === 0 && errors.length === 0, `notifications: ${JSON.stringify(toasts)}; log: ${errors.join('\n')}`);
    let again = [];
    const same = await poll(async () => {
      again = (await reported()).filter((g) => g.code === d.code).map((g) => g.line).sort((a, b) => a - b);
      return JSON.stringify(again) === JSON.stringify(want);
    }, timeout);
    check(`after re-indexing: ${d.code} still on lines ${want.join(', ')}`, same, `lines ${again.join(', ')}; rows:\n${rowDump()}`);

    await runCommand(page, 'View: Toggle Maximized Panel');
    await page.keyboard.press('Control+1'); // back to the editor

    // Hover on the bindings:: name: the C prototype and its kernel-doc.
    step = 'hover';
    const line = linesContaining(text, scenario.symbol.line_containing)[0];
    const lineText = text.split('\n')[line - 1];
    const col = lineText.indexOf(scenario.symbol.line_containing) + scenario.symbol.line_containing.indexOf(scenario.symbol.name) + 3;
    await goTo(page, line, col);
    const hover = page.locator('.monaco-hover:not(.hidden)').first();
    let hoverText = '';
    const hovered = await poll(async () => {
      const box = await page.locator('.monaco-editor.focused .cursors-layer .cursor').first().boundingBox();
      if (!box) return false;
      // Off and back on, so that a hover that did not come up is asked again.
      await page.mouse.move(box.x + 2, box.y - 3 * box.height);
      await page.mouse.move(box.x + 2, box.y + box.height / 2);
      hoverText = await poll(async () => hover.innerText({ timeout: 500 }).catch(() => ''), 3000);
      return scenario.hover.contains.every((s) => hoverText.includes(s));
    }, timeout);
    if (
      !check(
        `hover on ${scenario.symbol.name} shows ${scenario.hover.contains.map((s) => JSON.stringify(s)).join(' and ')}`,
        hovered,
        `hover text: ${JSON.stringify(hoverText)}`,
      )
    ) {
      await dump(page, 'hover');
    }
    await page.waitForTimeout(1000); // the hover fades in
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
    console.log(`     screenshot: ${screenshot}`);

    // Go to Definition: the C definition opens.
    step = 'definition';
    const def = scenario.definition;
    const defLine = linesContaining(fs.readFileSync(path.join(workspace, def.file), 'utf8'), def.line_containing)[0];
    await page.mouse.move(1, 1);
    await page.keyboard.press('Escape');
    await page.keyboard.press('F12');
    const defBase = path.basename(def.file);
    const landed = await poll(async () => {
      const tab = await page.locator('.tab.active').innerText().catch(() => '');
      const status = await page.locator('.statusbar').innerText().catch(() => '');
      return tab.includes(defBase) && status.includes(`Ln ${defLine},`);
    }, timeout);
    if (!check(`Go to Definition on ${scenario.symbol.name} opens ${def.file}:${defLine}`, landed, 'did not land there')) {
      await dump(page, 'definition');
    }

    // Quick fix: on the first marked line, the code action whose title
    // has title_contains, from the light bulb menu (Ctrl+.); the
    // diagnostic goes (the buffer is never saved).
    step = 'code action';
    await page.locator('.tab', { hasText: base }).first().click();
    await page.locator('.tab.active', { hasText: base }).waitFor({ state: 'visible', timeout });
    const first = want[0];
    const firstCol = text.split('\n')[first - 1].search(/\S/) + 1;
    await goTo(page, first, firstCol);
    const title = scenario.code_action.title_contains;
    const action = page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
    const offered = await poll(async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+.');
      return action
        .waitFor({ state: 'visible', timeout: 3000 })
        .then(() => true)
        .catch(() => false);
    }, timeout);
    let menu = '';
    if (!offered) {
      menu = await page.locator('.action-widget').first().innerText({ timeout: 1000 }).catch(() => '(no menu)');
    }
    if (check(`code action "...${title}..." offered on line ${first}`, offered, `menu: ${JSON.stringify(menu)}`)) {
      // The menu has the focus on its first action: walk down to ours.
      const actions = await page
        .locator('.action-widget .monaco-list-row')
        .evaluateAll((rs) => rs.filter((r) => !r.classList.contains('group-header')).map((r) => r.innerText));
      for (let i = 0; i < actions.findIndex((a) => a.includes(title)); i++) {
        await page.keyboard.press('ArrowDown');
      }
      await page.keyboard.press('Enter');
      const edited = await poll(
        async () => (await page.locator('.monaco-editor.focused .view-lines').innerText().catch(() => '')).replace(/\u00a0/g, ' ').includes(title),
        timeout,
      );
      check(`the fix wrote "${title}" into the buffer`, edited, 'not in the editor');
      await runCommand(page, 'View: Toggle Maximized Panel');
      let after = [];
      const gone = await poll(async () => {
        after = (await reported()).filter((g) => g.code === d.code).map((g) => g.line);
        // The fix adds a comment line above: the other marked lines move down one.
        const moved = want.slice(1).map((l) => l + 1);
        return JSON.stringify(after.sort((a, b) => a - b)) === JSON.stringify(moved);
      }, timeout);
      if (!check(`after the fix: ${d.code} only on the other marked lines`, gone, `${d.code} on lines ${after.join(', ')}; rows:\n${rowDump()}`)) {
        await dump(page, 'code-action');
      }
    } else {
      await dump(page, 'code-action');
    }

    // Last, rivet.path pointing nowhere, set in the Settings editor as a
    // user would: the extension restarts, finds no executable, and says
    // what to do with the buttons Set rivet.path and Show Output; the
    // status bar turns to "rivet: not found"; Set rivet.path opens the
    // Settings editor at that setting.
    step = 'not found';
    const nowhere = path.join(artifacts, 'no-such-dir', 'rivet');
    const pathSetting = page.locator('.settings-editor .setting-item-contents', { hasText: 'The rivet executable' }).first();
    await runCommand(page, 'Preferences: Open Settings (UI)');
    const search = page.locator('.settings-editor .settings-header .monaco-editor').first();
    await search.waitFor({ state: 'visible', timeout });
    await search.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('rivet.path');
    // code-server is a remote window: rivet.path (machine-overridable) is
    // under the Remote tab.
    await page.locator('.settings-editor .settings-tabs-widget .action-label', { hasText: 'Remote' }).first().click();
    await pathSetting.waitFor({ state: 'visible', timeout });
    await pathSetting.locator('input').first().fill(nowhere);
    await page.keyboard.press('Tab');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'rivet: rivet.path is' }).first();
    const toastShown = await toast
      .waitFor({ state: 'visible', timeout })
      .then(() => true)
      .catch(() => false);
    const toastText = toastShown ? (await toast.innerText()).replace(/\s+/g, ' ') : '';
    const buttons = toastShown
      ? await toast.locator('.monaco-button').evaluateAll((bs) => bs.map((b) => b.innerText.trim()).filter((t) => t))
      : [];
    const says = [`rivet.path is "${nowhere}", which does not exist`, 'go install github.com/rivet-lsp/rivet@latest', 'set rivet.path'];
    if (
      !check(
        'rivet.path pointing nowhere: an error says what to do, with Set rivet.path and Show Output',
        toastShown && says.every((x) => toastText.includes(x)) && buttons.includes('Set rivet.path') && buttons.includes('Show Output'),
        `toast: ${JSON.stringify(toastText)}, buttons ${JSON.stringify(buttons)}`,
      )
    ) {
      await dump(page, 'not-found');
    }
    let now = null;
    const red = await poll(async () => {
      now = await rivetStatus(page);
      return now && now.text === 'rivet: not found' && now.icons.includes('codicon-error');
    }, timeout);
    check('the status bar says "rivet: not found"', red, `item: ${JSON.stringify(now)}`);
    if (toastShown && buttons.includes('Set rivet.path')) {
      // Back to the Rust file: the button must bring the Settings editor back.
      await page.locator('.tab', { hasText: base }).first().click();
      await page.locator('.settings-editor').first().waitFor({ state: 'hidden', timeout });
      await toast.locator('.monaco-button', { hasText: 'Set rivet.path' }).first().click();
      const opened = await pathSetting
        .waitFor({ state: 'visible', timeout })
        .then(() => true)
        .catch(() => false);
      const query = opened ? await search.innerText().catch(() => '') : '';
      if (
        !check(
          'Set rivet.path opens the Settings editor at rivet.path',
          opened && query.replace(/\u00a0/g, ' ').includes('rivet.path'),
          `setting shown: ${opened}; search: ${JSON.stringify(query)}`,
        )
      ) {
        await dump(page, 'set-path');
      }
    }
  } catch (e) {
    console.log(`FAIL ${step}: ${e.message}`);
    counts.failed++;
    await dump(page, step);
  } finally {
    await browser.close();
  }
  console.log(`vscode: ${counts.passed} passed, ${counts.failed} failed`);
  process.exit(counts.failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});

// Finding the rivet executable before the server is started, so that a
// missing one is reported as what to do rather than as a failed spawn.
// This module does not import 'vscode', so that it can be tested with node.

import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

/** The command that installs rivet (README.md). */
export const installCommand = 'go install github.com/rivet-lsp/rivet@latest';

/** The default of rivet.path: a name looked up on PATH. */
export const defaultName = 'rivet';

/** What the lookup needs from the system; tests pass fakes. */
export interface System {
  /** The environment: PATH, HOME, GOBIN, GOPATH (PATHEXT on Windows). */
  env: Record<string, string | undefined>;
  /** process.platform. */
  platform: string;
  /** Whether file exists and is a regular file the user may execute. */
  isExecutable(file: string): boolean;
  /** Whether file exists at all (to tell "absent" from "not executable"). */
  exists(file: string): boolean;
}

/** The real system: process.env, process.platform and the file system. */
export function nodeSystem(): System {
  return {
    env: process.env,
    platform: process.platform,
    isExecutable(file: string): boolean {
      try {
        if (!statSync(file).isFile()) {
          return false;
        }
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    exists(file: string): boolean {
      try {
        statSync(file);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** The result of a lookup: the executable, or why there is none. */
export type Located =
  | { found: true; path: string; searched: string[]; fallback: boolean }
  | { found: false; reason: 'not-on-path' | 'absent' | 'not-executable'; setting: string; searched: string[] };

/** Replaces a leading `~` or `~/` by the home directory. */
export function expandHome(p: string, home: string | undefined): string {
  if (!home) {
    return p;
  }
  if (p === '~') {
    return home;
  }
  if (p.startsWith('~/') || p.startsWith('~\\')) {
    return path.join(home, p.slice(2));
  }
  return p;
}

function homeOf(sys: System): string | undefined {
  return sys.env.HOME || sys.env.USERPROFILE;
}

function pathApi(sys: System): typeof path.posix {
  return sys.platform === 'win32' ? path.win32 : path.posix;
}

/** The names a command may have on disk: on Windows, with PATHEXT's extensions. */
function candidates(sys: System, file: string): string[] {
  if (sys.platform !== 'win32' || pathApi(sys).extname(file) !== '') {
    return [file];
  }
  const exts = (sys.env.PATHEXT || '.EXE;.CMD;.BAT;.COM').split(';').filter((e) => e);
  return [file, ...exts.map((e) => file + e.toLowerCase())];
}

/**
 * Where `go install` puts binaries: $GOBIN, else bin under each $GOPATH
 * entry, else ~/go/bin. VS Code started from a desktop menu often has a
 * PATH without them.
 */
export function goBinDirs(sys: System): string[] {
  const p = pathApi(sys);
  const delimiter = sys.platform === 'win32' ? ';' : ':';
  if (sys.env.GOBIN) {
    return [sys.env.GOBIN];
  }
  if (sys.env.GOPATH) {
    return sys.env.GOPATH.split(delimiter)
      .filter((d) => d)
      .map((d) => p.join(d, 'bin'));
  }
  const home = homeOf(sys);
  return home ? [p.join(home, 'go', 'bin')] : [];
}

/**
 * Finds the rivet executable from the rivet.path setting: an absolute
 * path (`~` expanded), a relative path with a directory part (resolved
 * against base, the workspace folder, when given), or a name looked up on
 * PATH. When the setting is empty or the default name and PATH has no
 * rivet, the directories `go install` writes to are tried too.
 */
export function locateRivet(setting: string | undefined, sys: System, base?: string): Located {
  const p = pathApi(sys);
  const raw = (setting ?? '').trim() || defaultName;
  const expanded = expandHome(raw, homeOf(sys));
  const hasDir = expanded.includes('/') || (sys.platform === 'win32' && expanded.includes('\\'));
  if (hasDir) {
    const file = p.isAbsolute(expanded) ? expanded : p.resolve(base ?? '.', expanded);
    const searched = candidates(sys, file);
    const hit = searched.find((f) => sys.isExecutable(f));
    if (hit) {
      return { found: true, path: hit, searched, fallback: false };
    }
    const reason = searched.some((f) => sys.exists(f)) ? 'not-executable' : 'absent';
    return { found: false, reason, setting: raw, searched };
  }
  const delimiter = sys.platform === 'win32' ? ';' : ':';
  const dirs = (sys.env.PATH ?? sys.env.Path ?? '').split(delimiter).filter((d) => d);
  const searched: string[] = [];
  const look = (dir: string): string | undefined => {
    for (const f of candidates(sys, p.join(expandHome(dir, homeOf(sys)), expanded))) {
      searched.push(f);
      if (sys.isExecutable(f)) {
        return f;
      }
    }
    return undefined;
  };
  for (const dir of dirs) {
    const hit = look(dir);
    if (hit) {
      return { found: true, path: hit, searched, fallback: false };
    }
  }
  if (raw === defaultName) {
    for (const dir of goBinDirs(sys)) {
      const hit = look(dir);
      if (hit) {
        return { found: true, path: hit, searched, fallback: true };
      }
    }
  }
  return { found: false, reason: 'not-on-path', setting: raw, searched };
}

/** The error message for a lookup that found nothing: what is wrong and what to do. */
export function notFoundMessage(r: Extract<Located, { found: false }>): string {
  const fix = `Install it with \`${installCommand}\` (and put its directory, usually ~/go/bin, on PATH) or set rivet.path to the executable's absolute path.`;
  if (r.setting === defaultName) {
    return `rivet: the rivet executable was not found on PATH. ${fix}`;
  }
  switch (r.reason) {
    case 'not-on-path':
      return `rivet: rivet.path is "${r.setting}", which was not found on PATH. ${fix}`;
    case 'absent':
      return `rivet: rivet.path is "${r.setting}", which does not exist. ${fix}`;
    case 'not-executable':
      return `rivet: rivet.path is "${r.setting}", which is not an executable file. Make it executable (chmod +x), or ${fix.charAt(0).toLowerCase()}${fix.slice(1)}`;
  }
}

// The status bar item's state and text: what rivet/status notifications,
// work-done progress and the client's life make of it. This module does
// not import 'vscode', so that it can be tested with node.

/** The params of rivet's rivet/status notification (server/workspace.go). */
export interface StatusParams {
  state: 'indexing' | 'ready' | 'idle' | string;
  files?: number;
  seconds?: number;
  message?: string;
}

/** A $/progress value of work-done progress (begin, report or end). */
export interface ProgressValue {
  kind: 'begin' | 'report' | 'end';
  title?: string;
  message?: string;
  percentage?: number;
}

export type Phase =
  | 'starting' // the client is starting rivet
  | 'indexing' // rivet/status "indexing", until "ready"
  | 'ready' // the index is complete; background work goes on
  | 'idle' // the background work is done too
  | 'stopped' // stopped on purpose (deactivation, restart)
  | 'crashed' // the server stopped without being asked to
  | 'failed' // the server could not be started
  | 'missing'; // no rivet executable

export interface Status {
  phase: Phase;
  /** Files in the index, from "ready", or the total from progress reports. */
  files?: number;
  /** Seconds the last index build took. */
  seconds?: number;
  /** The latest progress message ("1,234/12,345 files", ...). */
  progress?: string;
  /** The latest progress percentage. */
  percentage?: number;
  /** The server's message, or the error of failed, crashed and missing. */
  detail?: string;
}

export const initialStatus: Status = { phase: 'starting' };

/** What to show: the item's text (with codicons), tooltip, accessibility label and colour. */
export interface Rendered {
  text: string;
  tooltip: string;
  label: string;
  error: boolean;
}

/** Whether the phase is work in progress, shown with a spinner. */
export function busy(s: Status): boolean {
  return s.phase === 'starting' || s.phase === 'indexing';
}

/** Parses rivet's thousands-separated numbers ("12,345"). */
function parseCount(s: string): number {
  return Number(s.replace(/[,\u202f ]/g, ''));
}

/** Formats a count as rivet does, with commas between thousands. */
export function thousands(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Formats seconds for people: "40 ms", "0.4 s", "6.2 s", "1 min 12 s". */
export function duration(seconds: number): string {
  if (seconds < 0.1) {
    return `${Math.round(seconds * 1000)} ms`;
  }
  if (seconds < 60) {
    return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  }
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - 60 * m)} s`;
}

/** The state after a rivet/status notification. */
export function applyStatus(s: Status, p: StatusParams): Status {
  switch (p.state) {
    case 'indexing':
      // A new build: counts start again.
      return { phase: 'indexing', detail: p.message };
    case 'ready':
      return { phase: 'ready', files: p.files ?? s.files, seconds: p.seconds ?? s.seconds, detail: p.message };
    case 'idle':
      // idle carries no counts: keep those of ready.
      return { phase: 'idle', files: p.files ?? s.files, seconds: p.seconds ?? s.seconds, detail: p.message ?? s.detail };
    default:
      return s;
  }
}

/**
 * The state after a $/progress value. Progress counts only while
 * indexing (or starting: progress may come before rivet/status); its end
 * changes nothing, rivet/status "ready" says when the index is complete.
 */
export function applyProgress(s: Status, v: ProgressValue): Status {
  if (v.kind === 'end' || !(s.phase === 'indexing' || s.phase === 'starting')) {
    return s;
  }
  const next: Status = { ...s, phase: 'indexing' };
  if (v.message !== undefined) {
    next.progress = v.message;
    const m = /^([\d,]+)\/([\d,]+) files$/.exec(v.message);
    if (m) {
      next.files = parseCount(m[2]);
    }
  }
  if (v.percentage !== undefined) {
    next.percentage = Math.max(0, Math.min(100, Math.round(v.percentage)));
  }
  return next;
}

const clickHint = 'Click to show the output.';

/** What the status bar item shows in state s. */
export function render(s: Status): Rendered {
  const counts =
    s.files !== undefined
      ? `${thousands(s.files)} file${s.files === 1 ? '' : 's'}${s.seconds !== undefined ? ` in ${duration(s.seconds)}` : ''}`
      : '';
  const lines = (...ls: (string | undefined)[]) => ls.filter((l) => l).join('\n');
  switch (s.phase) {
    case 'starting':
      return {
        text: '$(sync~spin) rivet: starting',
        label: 'rivet: starting',
        tooltip: lines('rivet: starting the server', clickHint),
        error: false,
      };
    case 'indexing': {
      const what = [
        s.files !== undefined ? `${thousands(s.files)} files` : '',
        s.percentage !== undefined ? `${s.percentage}%` : '',
      ]
        .filter((x) => x)
        .join(', ');
      const short = `rivet: indexing${what ? ' ' + what : ''}`;
      return {
        text: `$(sync~spin) ${short}`,
        label: short,
        tooltip: lines(
          `rivet is indexing the workspace${s.progress ? `: ${s.progress}` : ''}${s.percentage !== undefined ? ` (${s.percentage}%)` : ''}`,
          'Answers about files Rust does not reach may be partial until it is done.',
          s.detail,
          clickHint,
        ),
        error: false,
      };
    }
    case 'ready':
    case 'idle': {
      const indexed = counts ? `index ready, ${counts}` : 'index ready';
      return {
        text: '$(check) rivet',
        label: `rivet: ${indexed}${s.phase === 'ready' ? ', background work running' : ''}`,
        tooltip: lines(
          `rivet: ${indexed}`,
          s.phase === 'ready' ? 'Saving the facts cache and finding call sites in the background.' : undefined,
          s.detail,
          clickHint,
        ),
        error: false,
      };
    }
    case 'stopped':
      return {
        text: '$(circle-slash) rivet: stopped',
        label: 'rivet: stopped',
        tooltip: lines('rivet: the server is stopped. Run "rivet: Restart Server" to start it.', clickHint),
        error: false,
      };
    case 'crashed':
      return {
        text: '$(error) rivet: stopped',
        label: 'rivet: the server stopped unexpectedly',
        tooltip: lines(
          'rivet: the server stopped unexpectedly.',
          s.detail,
          'Run "rivet: Restart Server" to start it again.',
          clickHint,
        ),
        error: true,
      };
    case 'failed':
      return {
        text: '$(error) rivet: failed to start',
        label: 'rivet: the server failed to start',
        tooltip: lines('rivet: the server failed to start.', s.detail, clickHint),
        error: true,
      };
    case 'missing':
      return {
        text: '$(error) rivet: not found',
        label: 'rivet: the rivet executable was not found',
        tooltip: lines(s.detail ?? 'rivet: the rivet executable was not found.', clickHint),
        error: true,
      };
  }
}

/**
 * How long to wait before showing s, when the previous state was busy
 * since busySince (ms): a spinner shown for less than minBusyMs would be
 * a flicker nobody can read, so a quick build stays on screen that long.
 * Errors show at once.
 */
export function holdMs(s: Status, busySince: number | undefined, now: number, minBusyMs = 600): number {
  if (busy(s) || busySince === undefined || render(s).error) {
    return 0;
  }
  return Math.max(0, busySince + minBusyMs - now);
}

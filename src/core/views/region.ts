import { DfError } from '../errors';

/** The two lines that delimit the generated part of a file people also write in. */
export interface RegionMarkers {
  readonly begin: string;
  readonly end: string;
}

export interface RegionTarget {
  /** Repository-relative path, for errors. */
  readonly file: string;
  readonly markers: RegionMarkers;
  /** The whole file to write when there is none yet, `{{region}}` standing for the region. */
  readonly newFile: string;
}

interface Line {
  readonly start: number;
  /** The line without its `\n` and without a trailing `\r`. */
  readonly text: string;
  readonly crlf: boolean;
}

/**
 * Puts `region` (LF line ends; its first line is `markers.begin`, its last `markers.end`)
 * into `existing`, touching nothing outside the markers:
 * - no file: `newFile` with the region in it;
 * - markers present: everything from the start of the begin line to the end of the end
 *   line is replaced;
 * - no markers: the region is inserted before the first level-2 heading (`## `) outside
 *   fenced code — above the newest release section — or appended when there is none, with
 *   a blank line either side. The existing bytes are kept; only the region and its blank
 *   lines are added.
 * The region takes the line ends of the file (CRLF when the file uses them). Markers count
 * only as whole lines outside fenced code; an unpaired, repeated or reversed marker is an
 * error naming the line, and nothing is written.
 */
export function spliceRegion(existing: string | undefined, region: string, target: RegionTarget): string {
  if (existing === undefined) return target.newFile.replace('{{region}}', () => region);
  const lines = splitLines(existing);
  const { begin, end } = findMarkers(lines, target);
  if (begin && end) {
    const eol = begin.crlf ? '\r\n' : '\n';
    return existing.slice(0, begin.start) + withEol(region, eol) + existing.slice(end.start + end.text.length);
  }
  const eol = lines[0]?.crlf ? '\r\n' : '\n';
  const body = withEol(region, eol);
  const heading = outsideFences(lines).find((l) => /^ {0,3}##(?:[ \t]|$)/.test(l.text));
  if (heading) {
    const before = existing.slice(0, heading.start);
    const gap = before === '' || before.endsWith(eol + eol) ? '' : eol;
    return `${before}${gap}${body}${eol}${eol}${existing.slice(heading.start)}`;
  }
  const gap = existing === '' || existing.endsWith(eol + eol) ? '' : existing.endsWith(eol) ? eol : eol + eol;
  return `${existing}${gap}${body}${eol}`;
}

function findMarkers(lines: readonly Line[], target: RegionTarget): { begin?: Line; end?: Line } {
  const lineNo = (l: Line) => lines.indexOf(l) + 1;
  const fix = `keep exactly one ${target.markers.begin} line followed by one ${target.markers.end} line in ${target.file}, or delete both and \`dynaforge views\` inserts the region again`;
  const fail = (l: Line | undefined, message: string) => new DfError('conflict', `${target.file}${l ? `:${lineNo(l)}` : ''}: ${message}`, fix, { file: target.file, ...(l ? { line: lineNo(l) } : {}) });
  const visible = outsideFences(lines);
  const begins = visible.filter((l) => l.text.trim() === target.markers.begin);
  const ends = visible.filter((l) => l.text.trim() === target.markers.end);
  if (begins.length > 1) throw fail(begins[1], `a second ${target.markers.begin} (the first is on line ${lineNo(begins[0] as Line)})`);
  if (ends.length > 1) throw fail(ends[1], `a second ${target.markers.end} (the first is on line ${lineNo(ends[0] as Line)})`);
  const [begin] = begins;
  const [end] = ends;
  if (begin && !end) throw fail(begin, `${target.markers.begin} has no ${target.markers.end} after it`);
  if (end && !begin) throw fail(end, `${target.markers.end} has no ${target.markers.begin} before it`);
  if (begin && end && end.start < begin.start) throw fail(end, `${target.markers.end} comes before ${target.markers.begin} (line ${lineNo(begin)})`);
  return { ...(begin ? { begin } : {}), ...(end ? { end } : {}) };
}

function splitLines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  for (const raw of text.split('\n')) {
    const crlf = raw.endsWith('\r');
    out.push({ start, text: crlf ? raw.slice(0, -1) : raw, crlf });
    start += raw.length + 1;
  }
  return out;
}

/**
 * Lines outside fenced code blocks (``` or ~~~, closed by a fence of the same kind at least as
 * long). A fence never closed hides nothing: otherwise a region appended after it would never
 * be found again, and every run would append another.
 */
function outsideFences(lines: readonly Line[]): Line[] {
  const out: Line[] = [];
  let fence: { readonly marker: string; readonly from: number } | undefined;
  lines.forEach((l, i) => {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(l.text);
    const run = m?.[1];
    if (!fence) {
      if (run) fence = { marker: run, from: i };
      else out.push(l);
    } else if (run && run[0] === fence.marker[0] && run.length >= fence.marker.length && l.text.trim() === run) fence = undefined;
  });
  if (fence) out.push(...lines.slice(fence.from));
  return out;
}

function withEol(text: string, eol: string): string {
  return eol === '\n' ? text : text.replace(/\n/g, eol);
}

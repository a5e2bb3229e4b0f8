/**
 * A line-oriented view of a Markdown artifact, enough for the analysis commands: which lines
 * are prose (not inside a fenced code block), what each says with HTML comments blanked out
 * (templates explain themselves in comments, which must not count as content), and where
 * each heading's section starts and ends. Line numbers are those of the whole file.
 */

export interface DocLine {
  /** 1-based line number in the file. */
  readonly n: number;
  /** The line as written (no line end). */
  readonly raw: string;
  /** The line with HTML comments blanked out; empty inside a fenced code block. */
  readonly text: string;
  /** False inside fenced code blocks (and for the fences themselves). */
  readonly prose: boolean;
  /** `## Title` → {level 2, title "Title"}, for prose lines only. */
  readonly heading?: { readonly level: number; readonly title: string };
}

export interface Section {
  readonly level: number;
  readonly title: string;
  /** Index (into the lines) of the heading line. */
  readonly at: number;
  /** Index just past the section: the next heading of the same or a higher level, or the end. */
  readonly end: number;
}

export interface MdDoc {
  readonly lines: readonly DocLine[];
  readonly sections: readonly Section[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;

/** Splits `body` (which starts on file line `firstLine`) into lines and sections. */
export function parseDoc(body: string, firstLine = 1): MdDoc {
  const raws = body.split(/\r?\n/);
  if (raws.length > 1 && raws[raws.length - 1] === '') raws.pop();
  const lines: DocLine[] = [];
  let fence: string | undefined;
  let inComment = false;
  raws.forEach((raw, i) => {
    const n = firstLine + i;
    const f = FENCE.exec(raw);
    if (fence !== undefined) {
      if (f && (f[1] as string)[0] === fence[0] && (f[1] as string).length >= fence.length && raw.trim() === f[1]) fence = undefined;
      lines.push({ n, raw, text: '', prose: false });
      return;
    }
    if (f && !inComment) {
      fence = f[1] as string;
      lines.push({ n, raw, text: '', prose: false });
      return;
    }
    const blanked = blankComments(raw, inComment);
    inComment = blanked.open;
    const h = HEADING.exec(blanked.text);
    lines.push({ n, raw, text: blanked.text, prose: true, ...(h ? { heading: { level: (h[1] as string).length, title: (h[2] as string).trim() } } : {}) });
  });
  return { lines, sections: sectionsOf(lines) };
}

/** The line with `<!-- … -->` replaced by spaces (so columns stay put); `open`: a comment runs on. */
function blankComments(raw: string, inComment: boolean): { text: string; open: boolean } {
  let out = '';
  let i = 0;
  let open = inComment;
  while (i < raw.length) {
    if (open) {
      const end = raw.indexOf('-->', i);
      if (end < 0) return { text: out + ' '.repeat(raw.length - i), open: true };
      out += ' '.repeat(end + 3 - i);
      i = end + 3;
      open = false;
    } else {
      const start = raw.indexOf('<!--', i);
      if (start < 0) return { text: out + raw.slice(i), open: false };
      out += raw.slice(i, start);
      i = start;
      open = true;
    }
  }
  return { text: out, open };
}

function sectionsOf(lines: readonly DocLine[]): Section[] {
  const out: Section[] = [];
  lines.forEach((l, at) => {
    if (!l.heading) return;
    let end = lines.length;
    for (let j = at + 1; j < lines.length; j++) {
      const h = lines[j]?.heading;
      if (h && h.level <= l.heading.level) {
        end = j;
        break;
      }
    }
    out.push({ level: l.heading.level, title: l.heading.title, at, end });
  });
  return out;
}

/** A heading's title as compared: case-insensitive, without a trailing colon or surrounding emphasis. */
export function titleKey(title: string): string {
  return title.replace(/[*_`]/g, '').replace(/:\s*$/, '').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Every section headed `name` (any level), in file order. */
export function sectionsNamed(doc: MdDoc, name: string): Section[] {
  const key = titleKey(name);
  return doc.sections.filter((s) => titleKey(s.title) === key);
}

/** The innermost section enclosing line index `i` whose heading matches `test`, if any. */
export function enclosing(doc: MdDoc, i: number, test: (s: Section) => boolean): Section | undefined {
  let best: Section | undefined;
  for (const s of doc.sections) if (s.at < i && i < s.end && test(s) && (!best || s.at > best.at)) best = s;
  return best;
}

export interface ListItem {
  /** Index of the item's first line. */
  readonly at: number;
  /** The first line's text after the list marker (and a `[ ]`/`[x]` box, if any). */
  readonly text: string;
  /** The first line and every continuation or nested line below it, comments blanked. */
  readonly fullText: string;
}

const LIST_ITEM = /^(\s*)(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?(.*)$/;

/**
 * The items of the list(s) in a section: each line starting a list item at the section's
 * shallowest item indentation, with deeper lines (continuations, sub-items) folded into it.
 * Sub-headings end nothing: their items count too (criteria grouped under `### Login`).
 */
export function listItems(doc: MdDoc, s: Section): ListItem[] {
  const body = doc.lines.slice(s.at + 1, s.end).map((l, k) => ({ l, i: s.at + 1 + k }));
  const indents = body.flatMap(({ l }) => {
    const m = l.prose ? LIST_ITEM.exec(l.text) : null;
    return m ? [(m[1] as string).length] : [];
  });
  if (!indents.length) return [];
  const top = Math.min(...indents);
  const items: { at: number; text: string; parts: string[] }[] = [];
  for (const { l, i } of body) {
    if (!l.prose || l.heading) continue;
    const m = LIST_ITEM.exec(l.text);
    if (m && (m[1] as string).length === top) items.push({ at: i, text: (m[2] as string).trim(), parts: [(m[2] as string).trim()] });
    else if (l.text.trim() && items.length && /^\s/.test(l.text)) items[items.length - 1]?.parts.push(l.text.trim());
  }
  return items.filter((it) => it.text.length > 0).map((it) => ({ at: it.at, text: it.text, fullText: it.parts.join(' ') }));
}

/** The line number offset of a body inside its file: `text` minus `body` is the front matter. */
export function bodyFirstLine(text: string, body: string): number {
  return text.slice(0, text.length - body.length).split('\n').length;
}

import { DfError } from '../errors';

const MAX_TITLE = 200;

/**
 * A change title: one line of any Unicode (NFC-normalised), shell metacharacters welcome —
 * titles are data, never passed through a shell. Newlines and other control characters are
 * refused so the title stays one line in every list, tree and commit trailer.
 */
export function normalizeTitle(raw: string): string {
  const title = raw.normalize('NFC').trim();
  if (!title) throw new DfError('invalid-title', 'the title is empty', 'give the change a short one-line title, e.g. dynaforge new "Rate-limit login"', { field: 'title' });
  const ctl = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u.exec(title);
  if (ctl) {
    const what = ctl[0] === '\n' || ctl[0] === '\r' || ctl[0] === '\u2028' ? 'a line break' : `a control character (U+${ctl[0].codePointAt(0)?.toString(16).padStart(4, '0').toUpperCase()})`;
    throw new DfError('invalid-title', `the title contains ${what} at character ${ctl.index + 1}`, 'keep the title to one line; put details in the change\'s brief.md', { field: 'title' });
  }
  if ([...title].length > MAX_TITLE) {
    throw new DfError('invalid-title', `the title is ${[...title].length} characters long (at most ${MAX_TITLE})`, 'shorten it; put details in brief.md', { field: 'title' });
  }
  return title;
}

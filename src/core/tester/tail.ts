import { StringDecoder } from 'node:string_decoder';
import { redact } from '../model/secrets';

/** How much of a command's output is kept: the last ~4 KB, enough to see why it failed. */
export const TAIL_CHARS = 4096;

/** Environment variables whose values are secrets, by name. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD/i;
/** Shorter values would mask ordinary words and numbers all over the output. */
const MIN_SECRET_LENGTH = 4;

/** The values of the secret-looking variables of `env`, longest first. */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= MIN_SECRET_LENGTH && SECRET_NAME.test(name)) out.add(value);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/**
 * The last `limit` characters of a stream, memory bounded (it holds at most twice `limit`
 * plus a margin as long as the longest secret). Redaction runs over the whole window, after
 * the window's cut-off start is dropped: the partial first word, and any tail end of a secret
 * the cut left there — a fragment no redaction could recognise.
 */
export class OutputTail {
  private readonly decoder = new StringDecoder('utf8');
  private buf = '';
  private truncated = false;
  private readonly margin: number;
  private readonly forms: readonly string[];

  constructor(
    private readonly secrets: readonly string[],
    private readonly limit = TAIL_CHARS,
  ) {
    // The forms redact() masks: as is, JSON-escaped, URL-encoded.
    this.forms = [...new Set(secrets.flatMap((x) => [x, JSON.stringify(x).slice(1, -1), encodeURIComponent(x)]))];
    this.margin = Math.max(256, ...this.forms.map((f) => f.length));
  }

  push(chunk: Buffer): void {
    this.append(this.decoder.write(chunk));
  }

  /** Text of our own (a note about a result file), kept in order with the output. */
  note(text: string): void {
    this.append(this.decoder.end());
    this.append(text);
  }

  /** The redacted tail. */
  text(): string {
    this.append(this.decoder.end());
    const raw = this.truncated ? this.buf.slice(this.cutOff()) : this.buf;
    const out = redact(raw, this.secrets);
    return out.length > this.limit ? out.slice(out.length - this.limit) : out;
  }

  /** How much of a truncated window's start to drop: the partial first word, and a secret's tail end. */
  private cutOff(): number {
    // A word longer than the margin (minified output) is not a token worth dropping whole.
    const ws = this.buf.search(/\s/);
    let cut = ws < 0 || ws >= this.margin ? Math.min(this.margin, this.buf.length) : ws + 1;
    for (const f of this.forms) {
      for (let k = f.length - 1; k > cut; k--) {
        if (this.buf.startsWith(f.slice(f.length - k))) {
          cut = k;
          break;
        }
      }
    }
    return cut;
  }

  private append(s: string): void {
    if (!s) return;
    this.buf += s;
    const keep = this.limit + this.margin;
    if (this.buf.length > keep * 2) {
      this.buf = this.buf.slice(this.buf.length - keep);
      this.truncated = true;
    }
  }
}

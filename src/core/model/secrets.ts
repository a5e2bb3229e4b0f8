/**
 * The model API key comes from the environment only — never from config.yaml — and must never
 * reach audit events, logs, error messages or transcripts. Every message the HTTP client
 * builds goes through `redact` with the key before it becomes an error.
 */

/** Where the key is read from, first set wins. `DYNAFORGE_MODEL_KEY` is the name `doctor` used first. */
export const API_KEY_ENV = ['DYNAFORGE_MODEL_API_KEY', 'DYNAFORGE_MODEL_KEY', 'OPENAI_API_KEY'] as const;

export interface ApiKey {
  readonly value: string;
  /** The variable it came from, for messages ("the key in DYNAFORGE_MODEL_API_KEY was refused"). */
  readonly from: (typeof API_KEY_ENV)[number];
}

export function resolveApiKey(env: NodeJS.ProcessEnv): ApiKey | undefined {
  for (const name of API_KEY_ENV) {
    const value = env[name]?.trim();
    if (value) return { value, from: name };
  }
  return undefined;
}

/** True when `key` can travel in an HTTP header (visible ASCII, no line breaks). */
export function isHeaderSafe(key: string): boolean {
  return /^[\x21-\x7e]+$/.test(key);
}

export const REDACTED = '***';

/**
 * `text` with every occurrence of each secret (as is, JSON-escaped and URL-encoded) replaced,
 * and with bearer tokens, `sk-…` keys, URL credentials and key-like query parameters masked
 * whatever they hold — a server may echo a key we never saw.
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out
    .replace(/\b(Bearer\s+)[^\s"',;]+/gi, `$1${REDACTED}`)
    .replace(/\bsk-[\w-]{8,}/g, REDACTED)
    .replace(/\b([a-z][\w+.-]*:\/\/)[^/@\s]+@/gi, `$1${REDACTED}@`)
    .replace(/([?&](?:api[-_]?key|key|token|access_token)=)[^&#\s"']+/gi, `$1${REDACTED}`);
}

/** `url` safe to show: credentials and key-like query parameters masked. */
export function displayUrl(url: string): string {
  return redact(url);
}

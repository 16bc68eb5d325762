/** Hiding secrets in log text. Pure; no `vscode` import. */

const MASK = '***';
const API_KEY_FIELD = /("apiKey"\s*:\s*)"(?:[^"\\]|\\.)*"/g;

/** Replaces every known secret, and any JSON `"apiKey"` value, with `***`. */
export function redact(text: string, secrets: Iterable<string>): string {
  let result = text.replace(API_KEY_FIELD, `$1"${MASK}"`);
  for (const secret of secrets) {
    if (secret) {
      result = result.split(secret).join(MASK);
    }
  }
  return result;
}

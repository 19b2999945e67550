/**
 * Text that came from outside — a bundle's organisation name, a file name — as it may be shown
 * in a terminal or on screen. A newline would let it start a line of its own ("Signer
 * fingerprint: …" in a trusted organisation's name), an escape sequence could move the cursor or
 * erase the real line, and Unicode direction overrides or invisible characters can make one text
 * read as another. Every such character is written as a visible escape instead: `\x0A`, `\x1B`,
 * `\u202E`. Printable text, including every script and emoji, is unchanged.
 */

/**
 * C0 and C1 controls and DEL; bidirectional marks, embeddings, overrides and isolates; the
 * zero-width space and other invisible format characters; line and paragraph separators; the
 * byte-order mark. The zero-width joiner and non-joiner stay: scripts (Persian, Indic) and emoji
 * need them, and they cannot move or hide text.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

function escapeOf(character: string): string {
  const code = character.charCodeAt(0);
  const hex = code.toString(16).toUpperCase();
  return code <= 0xff ? `\\x${hex.padStart(2, '0')}` : `\\u${hex.padStart(4, '0')}`;
}

/** `text` with every control, direction-changing or invisible character shown as an escape. */
export function displayText(text: string): string {
  return text.replace(UNSAFE, escapeOf);
}

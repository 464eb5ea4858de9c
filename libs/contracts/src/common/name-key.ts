/**
 * Keys derived from names that people type (districts today), in any script.
 *
 * Two names share a key exactly when they are equal after NFC normalisation and case folding: "AKKAR"
 * and "Akkar" are one district, a decomposed "é" and a precomposed one are one, and حلبا (Halba) and
 * المنية (Minieh) are two. The previous key kept only [a-z0-9] and sent every Arabic name to "_".
 *
 * The key is an injective encoding of the folded name, readable in stream ids: letters, marks and
 * digits of any script stay as they are, a space becomes "_", and every other code point (including
 * "_", "~" and "-") becomes "~<hex>~". The codes form a prefix-free set, so different folded names
 * can never produce the same key. See docs/decisions/0043-name-derived-keys.md.
 */
export function foldName(name: string): string {
  // Upper then lower approximates Unicode full case folding (ß → SS → ss) with what JS offers;
  // NFC again because case mapping can decompose (İ → i + U+0307).
  return name.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

const KEPT = /^[\p{L}\p{M}\p{N}]$/u;

export function nameKey(name: string): string {
  let key = '';
  for (const ch of foldName(name)) {
    if (ch === ' ') key += '_';
    else if (KEPT.test(ch)) key += ch;
    else key += `~${ch.codePointAt(0)!.toString(16)}~`;
  }
  return key;
}

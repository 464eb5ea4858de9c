/**
 * What text the ledger accepts, wherever it sits in a submission (one walk before the schemas, so
 * no string field can forget it). Refused, because they corrupt or disguise what reports show and
 * what the encryption of personal data can represent:
 *   - lone surrogates (UTF-16 halves without their pair: not text, and not encodable as UTF-8);
 *   - C0 controls other than tab and newline, DEL, and C1 controls (NUL in "No\u0000rth" splits one
 *     governorate into two in a donor report, and is invisible in most viewers);
 *   - bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what is
 *     displayed without changing what is stored.
 * The implicit marks LRM, RLM and ALM (U+200E, U+200F, U+061C) are allowed: Arabic text mixing
 * numbers and Latin names needs them. Tab and newline pass this walk; single-line fields refuse
 * them in their own schema (SingleLineText). Text is stored exactly as submitted, never normalised here.
 */

const FORBIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` is refused (naming the code point and where), or undefined when it is acceptable. */
export function textProblem(text: string): string | undefined {
  const match = FORBIDDEN.exec(text);
  if (!match) return undefined;
  const unit = match[0].charCodeAt(0);
  const at = `at character ${match.index + 1}`;
  const cp = `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;
  if (unit >= 0xd800 && unit <= 0xdfff) return `contains a lone surrogate ${cp} ${at} (not a character; is the text's encoding broken?)`;
  if (unit >= 0x202a && unit <= 0x2069) return `contains the bidirectional formatting character ${cp} ${at} (use U+200E/U+200F marks instead)`;
  return `contains the control character ${cp} ${at}`;
}

export interface TextIssue {
  code: 'invalid_text' | 'too_deep';
  message: string;
  path: string;
}

/**
 * An unacceptable string (value or member name) in a JSON value, the first met walking it, with
 * its path (`data.participant.fullName`, `data.skills[2]`); or nesting deeper than `maxDepth`.
 * Iterative, so a hostile depth cannot overflow the stack before it is refused.
 */
export function firstTextIssue(value: unknown, prefix = '', maxDepth = 64): TextIssue | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: prefix, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { code: 'invalid_text', message: `${node.path || 'value'}: ${problem}`, path: node.path };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (node.depth >= maxDepth) {
      return { code: 'too_deep', message: `${node.path || 'value'}: nests arrays and objects deeper than ${maxDepth} levels`, path: node.path };
    }
    const children: Array<{ value: unknown; path: string; depth: number }> = [];
    if (Array.isArray(v)) {
      v.forEach((item, i) => children.push({ value: item, path: `${node.path}[${i}]`, depth: node.depth + 1 }));
    } else {
      for (const key of Object.keys(v)) {
        const problem = textProblem(key);
        // The member name itself is not echoed in the path: it is the offending text.
        if (problem) return { code: 'invalid_text', message: `a member name in ${node.path || 'the value'} ${problem}`, path: node.path };
        children.push({ value: (v as Record<string, unknown>)[key], path: node.path ? `${node.path}.${key}` : key, depth: node.depth + 1 });
      }
    }
    // Reversed onto the stack, so children are examined in their order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return undefined;
}

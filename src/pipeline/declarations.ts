import { ts } from 'ts-morph';

const PUBLIC_RE = /auth-enforcer-public(?::\s*(.*?))?\s*(?:\*\/)?\s*$/;

/**
 * `// auth-enforcer-public: <reason>` in the comments right above the statement or class member that
 * registers a route. Returns the reason ('' when the comment gives none).
 */
export function publicComment(anchor: ts.Node): string | undefined {
  let node: ts.Node = anchor;
  while (node.parent && !ts.isStatement(node) && !ts.isClassElement(node)) node = node.parent;
  const sf = node.getSourceFile();
  const ranges = ts.getLeadingCommentRanges(sf.text, node.getFullStart()) ?? [];
  for (const r of ranges) {
    const m = sf.text.slice(r.pos, r.end).match(PUBLIC_RE);
    if (m) return (m[1] ?? '').trim();
  }
  // Decorators come before a member's leading comments in the text; look above them too.
  if (ts.isClassElement(node)) {
    const above = sf.text.slice(0, node.getStart(sf));
    const lines = above.split('\n').slice(-4).join('\n');
    const m = lines.match(/auth-enforcer-public(?::\s*([^\n*]*))?/);
    if (m) return (m[1] ?? '').trim();
  }
  return undefined;
}

export interface Suppression {
  rules: string[];
  reason: string;
  line: number;
}

const DISABLE_RE = /auth-enforcer-disable-next-line(?:\s+([\w\-, ]+?))?(?:\s+--\s*(.*?))?\s*(?:\*\/)?\s*$/;

/** `// auth-enforcer-disable-next-line <rule>[, <rule>] -- <reason>` comments, keyed by the line they silence (1-based). */
export function suppressionsIn(sf: ts.SourceFile): Map<number, Suppression> {
  const out = new Map<number, Suppression>();
  if (!sf.text.includes('auth-enforcer-disable')) return out;
  const lines = sf.text.split('\n');
  lines.forEach((text, i) => {
    const at = text.indexOf('auth-enforcer-disable-next-line');
    if (at < 0 || !/\/\/|\/\*/.test(text.slice(0, at))) return;
    const m = text.slice(at).match(DISABLE_RE);
    if (!m) return;
    const rules = (m[1] ?? '').split(/[\s,]+/).filter(Boolean);
    out.set(i + 2, { rules, reason: (m[2] ?? '').trim(), line: i + 1 });
  });
  return out;
}

// A handler that answers a constant exposes nothing (evidence `static-answer`, see rules/missing-auth.md).
import { describe, expect, it } from 'vitest';
import { ts } from 'ts-morph';
import { constantAnswer } from '../../src/analysis/static-answer.js';
import { isFunctionNode, type FunctionNode } from '../../src/syntax/functions.js';

function handler(text: string): FunctionNode {
  const sf = ts.createSourceFile('h.ts', `const h = ${text};`, ts.ScriptTarget.Latest, true);
  let fn: FunctionNode | undefined;
  const visit = (n: ts.Node): void => {
    if (!fn && isFunctionNode(n)) fn = n;
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return fn!;
}

const answer = (text: string) => constantAnswer(handler(text))?.getText();

describe('constantAnswer', () => {
  it('finds the answer of handlers that answer a constant, in each framework', () => {
    expect(answer('(_req, res) => res.json([])')).toBe('res.json([])');
    expect(answer("(_req, res) => { res.status(404).json({ error: 'not found', codes: [1, 2] }); }")).toBe("res.status(404).json({ error: 'not found', codes: [1, 2] })");
    expect(answer("(c) => c.text('Hello, world!')")).toBe("c.text('Hello, world!')");
    expect(answer('async (request, reply) => reply.callNotFound()')).toBe('reply.callNotFound()');
    expect(answer("() => { throw new Error('sentry test'); }")).toBe("throw new Error('sentry test');");
    expect(answer("(_req, res) => res.redirect('/')")).toBe("res.redirect('/')");
  });

  it('is undefined for a handler that reads the request, a variable or a module, calls anything else, or answers nothing', () => {
    expect(answer('(req, res) => res.json(req.body)')).toBeUndefined();
    expect(answer('(_req, res) => res.json(SETTINGS)')).toBeUndefined();
    expect(answer('(_req, res) => res.json({ version: process.env.VERSION })')).toBeUndefined();
    expect(answer('async (_req, res) => { await db.reset(); res.sendStatus(204); }')).toBeUndefined();
    expect(answer('(_req, res) => { res.json([]); audit(); }')).toBeUndefined();
    expect(answer('(_req, res) => other.json([])')).toBeUndefined();
    expect(answer('(_req, res) => { res.json([]); setTimeout(() => undefined, 1); }')).toBeUndefined();
    expect(answer('() => ({ status: "ok" })')).toBeUndefined();
    expect(answer('() => { throw error; }')).toBeUndefined();
  });
});

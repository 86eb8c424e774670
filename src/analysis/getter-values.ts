import { ts } from 'ts-morph';
import { isFunctionNode } from '../syntax/functions.js';
import { enclosingClass, propertyNameText, unwrap, type Resolver } from '../syntax/resolve.js';
import type { Origin, OriginSource } from './provenance.js';

/**
 * A getter's value is what it returns: `this.currentUser.userId` with `get userId() { return this.request.user.id }`
 * on a project class (an injected provider, or `this`). The returned expressions are read in the getter's own
 * class, without bindings: a getter has no parameters.
 */
export function getterSource(resolver: Resolver): OriginSource {
  return {
    origin(expr, prov) {
      const e = unwrap(expr);
      if (!ts.isPropertyAccessExpression(e)) return undefined;
      const target = unwrap(e.expression);
      const v = target.kind === ts.SyntaxKind.ThisKeyword ? undefined : resolver.value(target);
      const cls = target.kind === ts.SyntaxKind.ThisKeyword ? enclosingClass(target) : v?.kind === 'instance' ? v.cls : undefined;
      const getter = cls?.members.find((m): m is ts.GetAccessorDeclaration => ts.isGetAccessorDeclaration(m) && !!m.name && propertyNameText(m.name) === e.name.text);
      if (!getter?.body) return undefined;
      const origins = returned(getter.body).map((r) => prov.origin(r));
      // As for a function's returns: any client-controlled path makes the value the client's.
      return origins.find((o) => o.kind === 'request') ?? origins.find((o) => o.kind === 'principal') ?? ({ kind: 'none' } satisfies Origin);
    },
  };
}

function returned(body: ts.Block): ts.Expression[] {
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n)) {
      if (n.expression) out.push(n.expression);
      return;
    }
    if (isFunctionNode(n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return out;
}

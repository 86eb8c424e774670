import { ts } from 'ts-morph';
import { returnedExpressions } from '../syntax/functions.js';
import { baseClass, enclosingClass, propertyNameText, unwrap, type Resolver } from '../syntax/resolve.js';
import type { Origin, OriginSource } from './provenance.js';

/**
 * A getter's value is what it returns: `this.currentUser.userId` with `get userId() { return this.request.user.id }`
 * on a project class (an injected provider, or `this`, the getter possibly inherited from a base class). The returned expressions are read in the getter's own
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
      const getter = cls && findGetter(cls, e.name.text, resolver);
      if (!getter?.body) return undefined;
      const origins = returnedExpressions(getter).map((r) => prov.origin(r));
      // As for a function's returns: any client-controlled path makes the value the client's.
      return origins.find((o) => o.kind === 'request') ?? origins.find((o) => o.kind === 'principal') ?? ({ kind: 'none' } satisfies Origin);
    },
  };
}

/** The getter `name` of a class or of the classes it extends (`protected get userId()` in a base service). */
function findGetter(cls: ts.ClassLikeDeclaration, name: string, resolver: Resolver, depth = 0): ts.GetAccessorDeclaration | undefined {
  const own = cls.members.find((m): m is ts.GetAccessorDeclaration => ts.isGetAccessorDeclaration(m) && !!m.name && propertyNameText(m.name) === name);
  if (own || depth > 4 || cls.members.some((m) => m.name && propertyNameText(m.name) === name)) return own;
  const base = baseClass(cls);
  const parent = base && resolver.value(base);
  return parent?.kind === 'node' && ts.isClassLike(parent.node) ? findGetter(parent.node, name, resolver, depth + 1) : undefined;
}

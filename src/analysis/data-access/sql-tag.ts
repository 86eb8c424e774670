import { ts } from 'ts-morph';
import { unwrap, type Resolver, type Value } from '../../syntax/resolve.js';

/** Packages whose factory returns a tag that runs its SQL: `const sql = postgres(url)`, `const sql = neon(url)`, `new SQL(url)`. */
const CLIENT_FACTORIES: Record<string, string[]> = {
  postgres: [''],
  '@neondatabase/serverless': ['neon'],
  bun: ['SQL'],
};
/** Package exports that are such a tag themselves: `import { sql } from '@vercel/postgres'`, `db.sql`, Bun's `sql`. */
const CLIENT_TAGS: Record<string, string[]> = {
  '@vercel/postgres': ['sql', 'db.sql'],
  bun: ['sql'],
};
/** Prisma's tagged raw queries: `prisma.$queryRaw\`...\``. No other library has these `$` names. */
const PRISMA_RAW = new Set(['$queryRaw', '$executeRaw']);

/**
 * Whether a tagged template's tag runs the SQL as a query, as the resolver sees it: a postgres.js, Neon,
 * Vercel Postgres or Bun client, or a Prisma client's `$queryRaw`/`$executeRaw`. A tag that builds a
 * fragment (drizzle-orm's `sql`, `Prisma.sql`, slonik's `sql`) or cannot be resolved is not a query.
 */
export function runsSql(tag: ts.Expression, resolver: Resolver): boolean {
  const t = unwrap(tag);
  if (ts.isPropertyAccessExpression(t) && PRISMA_RAW.has(t.name.text)) {
    // Only a receiver that resolves to another package says it is not Prisma's client.
    const receiver = resolver.value(t.expression);
    return receiver.kind !== 'external' || receiver.pkg.includes('prisma');
  }
  return isClientTag(resolver.value(t), resolver);
}

/** postgres.js hands a transaction's callback a client of its own: `sql.begin(async (tx) => tx\`...\`)`. */
const SCOPED_CLIENTS = new Set(['begin', 'savepoint']);

function isClientTag(v: Value, resolver: Resolver, depth = 0): boolean {
  if (v.kind === 'external') return !!CLIENT_TAGS[v.pkg]?.includes(v.path.join('.'));
  if (v.kind === 'param' && v.path.length === 0 && depth < 3) {
    const callback = v.node.parent;
    const call = callback.parent;
    if (!ts.isCallExpression(call) || !call.arguments.includes(callback as ts.Expression) || callback.parameters[0] !== v.node) return false;
    const callee = unwrap(call.expression);
    return ts.isPropertyAccessExpression(callee) && SCOPED_CLIENTS.has(callee.name.text) && isClientTag(resolver.value(callee.expression), resolver, depth + 1);
  }
  if (v.kind !== 'node') return false;
  const made = ts.isVariableDeclaration(v.node) && v.node.initializer ? unwrap(v.node.initializer) : v.node;
  if (!ts.isCallExpression(made) && !ts.isNewExpression(made)) return false;
  const factory = resolver.value(made.expression);
  return factory.kind === 'external' && !!CLIENT_FACTORIES[factory.pkg]?.includes(factory.path.join('.'));
}

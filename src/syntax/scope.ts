import { ts } from 'ts-morph';

/** A node that introduces a name: variable, binding element, parameter, function, class, enum or import binding. */
export type Declaration =
  | ts.VariableDeclaration
  | ts.BindingElement
  | ts.ParameterDeclaration
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ClassDeclaration
  | ts.EnumDeclaration
  | ts.ImportClause
  | ts.ImportSpecifier
  | ts.NamespaceImport
  | ts.ImportEqualsDeclaration;

const scopeCache = new WeakMap<ts.Node, Map<string, Declaration>>();

/**
 * Finds the declaration a name refers to at `from`, walking lexical scopes outwards: the same
 * answer the binder gives for ordinary code, without building a type checker.
 */
export function findDeclaration(name: string, from: ts.Node): Declaration | undefined {
  for (let node: ts.Node | undefined = from; node; node = node.parent) {
    if (!introducesScope(node)) continue;
    const found = declarationsOf(node).get(name);
    if (found) return found;
  }
  return undefined;
}

function introducesScope(node: ts.Node): boolean {
  return (
    ts.isSourceFile(node) ||
    ts.isBlock(node) ||
    ts.isModuleBlock(node) ||
    ts.isCaseClause(node) ||
    ts.isDefaultClause(node) ||
    ts.isFunctionLike(node) ||
    ts.isForStatement(node) ||
    ts.isForInStatement(node) ||
    ts.isForOfStatement(node) ||
    ts.isCatchClause(node)
  );
}

function declarationsOf(scope: ts.Node): Map<string, Declaration> {
  let map = scopeCache.get(scope);
  if (map) return map;
  map = new Map();
  const add = (name: ts.BindingName | undefined, decl: Declaration) => addBindingNames(map!, name, decl);
  if (ts.isSourceFile(scope) || ts.isBlock(scope) || ts.isModuleBlock(scope) || ts.isCaseClause(scope) || ts.isDefaultClause(scope)) {
    for (const st of scope.statements) collectStatement(st, map);
  } else if (ts.isFunctionLike(scope)) {
    for (const p of scope.parameters) add(p.name, p);
    if (ts.isFunctionExpression(scope) && scope.name) map.set(scope.name.text, scope);
    // Function declarations and `var`s in the body live in the body Block's scope.
  } else if ((ts.isForStatement(scope) || ts.isForInStatement(scope) || ts.isForOfStatement(scope)) && scope.initializer) {
    if (ts.isVariableDeclarationList(scope.initializer)) for (const d of scope.initializer.declarations) add(d.name, d);
  } else if (ts.isCatchClause(scope) && scope.variableDeclaration) {
    add(scope.variableDeclaration.name, scope.variableDeclaration);
  }
  scopeCache.set(scope, map);
  return map;
}

function collectStatement(st: ts.Statement, map: Map<string, Declaration>): void {
  if (ts.isVariableStatement(st)) {
    for (const d of st.declarationList.declarations) addBindingNames(map, d.name, d);
  } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) {
    map.set(st.name.text, st);
  } else if (ts.isImportDeclaration(st) && st.importClause) {
    const clause = st.importClause;
    if (clause.name) map.set(clause.name.text, clause);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) map.set(bindings.name.text, bindings);
    if (bindings && ts.isNamedImports(bindings)) for (const s of bindings.elements) map.set(s.name.text, s);
  } else if (ts.isImportEqualsDeclaration(st)) {
    map.set(st.name.text, st);
  }
}

function addBindingNames(map: Map<string, Declaration>, name: ts.BindingName | undefined, decl: Declaration): void {
  if (!name) return;
  if (ts.isIdentifier(name)) {
    map.set(name.text, decl);
    return;
  }
  for (const el of name.elements) {
    if (ts.isOmittedExpression(el)) continue;
    if (ts.isIdentifier(el.name)) map.set(el.name.text, el);
    else addBindingNames(map, el.name, el);
  }
}

import { ts } from 'ts-morph';
import type { InlineAuth } from '../model/facts.js';
import { isFunctionNode, returnedExpressions, type FunctionNode } from '../syntax/functions.js';
import { locOf, snippet } from '../syntax/loc.js';
import { unwrap, unwrapAwait } from '../syntax/resolve.js';
import { findDeclaration } from '../syntax/scope.js';
import { errorStatusOf, isRefusingResponse, refusal } from './branch-refusal.js';
import { findHelperStatusRefusal, findRefusal } from './guard-evidence.js';
import { refusalSites } from './refusal-sites.js';
import { isPackageVerification } from './verified-token.js';
import type { Provenance } from './provenance.js';

/**
 * `if (!req.user) return res.status(401)...` among the handler's leading statements (before `stopAt`,
 * the first statement that touches the database): the handler authenticates by itself.
 */
export function findInlineAuth(fn: FunctionNode, prov: Provenance, root: string, stopAt: (st: ts.Statement) => boolean, depth = 0): InlineAuth | undefined {
  const handedOn = depth < 1 ? handsWholeRequestTo(fn, prov) : undefined;
  if (handedOn) {
    // `async (c) => trashCipherById(c)`: the function that does the work checks the caller first.
    const inner = findInlineAuth(handedOn.callee, handedOn.prov, root, () => false, depth + 1);
    if (inner) return { ...inner, evidence: `${snippet(handedOn.call.expression, 40)}() checks first: ${inner.evidence}` };
  }
  if (!fn.body || !ts.isBlock(fn.body)) return undefined;
  const statements = leadingStatements(fn.body);
  for (const [i, st] of statements.entries()) {
    // In a function the handler hands on to, only a helper named for a credential counts (a 401 over the client's
    // address in a sign-in step's device lookup is no check of the caller).
    const delegated = refusingHelper(st, statements[i + 1], prov, fn, depth > 0);
    if (typeof delegated === 'string') return { evidence: delegated, loc: locOf(st, root) };
    if (delegated) return { ...delegated, loc: locOf(st, root) };
    const verified = verifiedInTry(st, prov);
    if (verified) return { evidence: verified, loc: locOf(st, root) };
    const ofPrincipal = ts.isIfStatement(st) && refusesWithoutPrincipal(st.expression, prov);
    if (ts.isIfStatement(st) && (ofPrincipal || refusesWithoutCredential(st.expression))) {
      // `return res.status(401)...`, or a project helper named for the refusal or that refuses: `response.errorForbidden(req, res)`.
      const refused = refusal(st.thenStatement, 'auth') ?? refusingCall(st.thenStatement, prov);
      if (refused) return { evidence: `if (${snippet(st.expression, 40)}) ${snippet(refused, 50)}`, loc: locOf(st, root), ...(ofPrincipal ? {} : { ofCredential: true }) };
    }
    // if (req.isAuthenticated()) { ...the work... } else { return response.errorForbidden(req, res) }
    if (ts.isIfStatement(st) && st.elseStatement && requiresPrincipal(st.expression, prov)) {
      const refused = refusal(st.elseStatement, 'auth') ?? refusingCall(st.elseStatement, prov);
      if (refused) return { evidence: `if (${snippet(st.expression, 40)}) ... else ${snippet(refused, 50)}`, loc: locOf(st, root) };
    }
    if (stopAt(st)) return undefined;
  }
  return undefined;
}

/** A handler whose whole body is one call handing the request to a project function: `(c) => trashCipherById(c)`. */
function handsWholeRequestTo(fn: FunctionNode, prov: Provenance): { call: ts.CallExpression; callee: FunctionNode; prov: Provenance } | undefined {
  const body = fn.body;
  if (!body) return undefined;
  let expr: ts.Expression | undefined;
  if (!ts.isBlock(body)) expr = body;
  else if (body.statements.length === 1) {
    const st = body.statements[0];
    expr = ts.isReturnStatement(st) ? st.expression : ts.isExpressionStatement(st) ? st.expression : undefined;
  }
  const e = expr && unwrapAwait(expr);
  if (!e || !ts.isCallExpression(e)) return undefined;
  const request = requestParameters(fn);
  if (!e.arguments.some((a) => ts.isIdentifier(unwrap(a)) && request.has((unwrap(a) as ts.Identifier).text))) return undefined;
  const callee = prov.calledFunction(e);
  const inner = callee && callee !== fn ? prov.forHelper(callee, e) : undefined;
  return callee && inner ? { call: e, callee, prov: inner } : undefined;
}

/**
 * `await requireUser(req)` where the helper throws a 401/403, or `const session = validateSession(req, res);
 * if (!session) return;` where the helper answers 401/403 itself: the handler delegates its check.
 */
function refusingHelper(st: ts.Statement, next: ts.Statement | undefined, prov: Provenance, fn: FunctionNode, credentialNamed = false): string | { evidence: string; admits?: string; redirectsOnVerdict?: boolean } | undefined {
  let call: ts.Expression | undefined;
  let holder: string | undefined;
  if (ts.isExpressionStatement(st)) call = st.expression;
  else if (ts.isVariableStatement(st) && st.declarationList.declarations.length === 1) {
    const decl = st.declarationList.declarations[0];
    call = decl.initializer;
    if (ts.isIdentifier(decl.name)) holder = decl.name.text;
  }
  const e = call && unwrapAwait(call);
  // A guard-like helper is handed the request (or its headers); one handed an email and a password checks a login.
  const request = requestParameters(fn);
  if (!e || !ts.isCallExpression(e) || !e.arguments.some((a) => handsOverRequest(a, request))) return undefined;
  if (credentialNamed && !CREDENTIAL.test(e.expression.getText())) return undefined;
  const helper = prov.calledFunction(e);
  const direct = helper?.body ? findRefusal(helper.body) : undefined;
  // `getActiveSessions(c)` calling `getSession(c)`, which throws 401: the throw reaches the handler too.
  const passedOn = !direct && helper ? throwsThroughCallee(helper, e, request, prov) : undefined;
  const refused = direct ?? passedOn?.refusal;
  // `const key = await validateWriteKey({ writeKey: req.headers.authorization }); if (key.isErr()) return 401`: the
  // helper checks the credential, the handler refuses on its verdict.
  const onVerdict = () => {
    if (!holder || !next || !ts.isIfStatement(next) || !mentions(next.expression, holder)) return undefined;
    // `const refreshToken = getCookie(c, 'refresh'); if (!refreshToken) throw 401`: a sign-in step's own token.
    if (REFRESH_TOKEN.test(holder)) return undefined;
    // `return hasAccess(req) || isPublic`: a verdict that is true for everyone on some records checks nobody.
    const verdict = refusesOnVerdict(e, next, prov) ?? returnsHelperRefusal(e, next, holder, helper, prov);
    // Only a verdict tested whole (`if (!allowed)`); `if (!session.user)` tests a part of what the helper returns.
    const admits = helper && verdict && isAbsenceOf(next.expression, holder) ? passesWithoutCaller(helper, e, request) : undefined;
    const restart = verdict && redirectsToLogin(next.thenStatement);
    return verdict ? { evidence: verdict, ...(restart ? { redirectsOnVerdict: true } : {}), ...(admits ? { admits } : {}) } : undefined;
  };
  if (!refused) return onVerdict();
  const thrower = ts.findAncestor(refused.node, (a) => a === helper!.body || ts.isThrowStatement(a));
  if (thrower && ts.isThrowStatement(thrower)) return `${snippet(e, 50)}${passedOn ? ` calls ${passedOn.name}(), which` : ''} ${refused.evidence}`;
  if (passedOn) return undefined;
  // The helper answered the request: the handler must stop when it returns nothing.
  if (holder && next && ts.isIfStatement(next) && isAbsenceOf(next.expression, holder) && returnsIn(next.thenStatement)) {
    return `${snippet(e, 50)} ${refused.evidence}, then \`if (${snippet(next.expression, 30)}) return\``;
  }
  // The refusal the helper holds is one it builds and hands back (`{ ok: false, response: c.json(..., 401) }`).
  return onVerdict();
}

/**
 * A disjunct of what the helper returns that does not depend on the request it was handed
 * (`sites.some(...) || isPublic`, where `isPublic` comes from the record's id): the verdict can be true for a
 * caller without credentials. A deployment switch (`process.env.X`) is not this: that is the deployment's choice.
 */
function passesWithoutCaller(helper: FunctionNode, call: ts.CallExpression, request: ReadonlySet<string>): string | undefined {
  const requestParams = new Set(helper.parameters.filter((_, i) => call.arguments[i] && handsOverRequest(call.arguments[i]!, request)));
  if (!requestParams.size) return undefined;
  for (const r of returnedExpressions(helper)) {
    for (const d of disjuncts(r)) {
      if (/process\.env|config|settings/i.test(d.getText()) || isFalsyLiteral(d) || ts.isObjectLiteralExpression(unwrap(d))) continue;
      if (!dependsOn(d, requestParams, 0)) return snippet(d, 40);
    }
  }
  return undefined;
}

/** `null`, `undefined`, `false`, `0`, `''`: a verdict that never passes anyone. */
function isFalsyLiteral(e: ts.Expression): boolean {
  const u = unwrap(e);
  return u.kind === ts.SyntaxKind.NullKeyword || u.kind === ts.SyntaxKind.FalseKeyword || (ts.isIdentifier(u) && u.text === 'undefined') || (ts.isNumericLiteral(u) && u.text === '0') || (ts.isStringLiteralLike(u) && u.text === '');
}

function disjuncts(expr: ts.Expression): ts.Expression[] {
  const e = unwrapAwait(expr);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.BarBarToken) return [...disjuncts(e.left), ...disjuncts(e.right)];
  return [e];
}

/** Whether `expr` reads one of `params`, through the locals it is computed from. */
function dependsOn(expr: ts.Node, params: ReadonlySet<ts.ParameterDeclaration>, depth: number): boolean {
  if (depth > 4) return true;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n)) {
      const decl = findDeclaration(n.text, n);
      if (decl && params.has(parameterOf(decl) as ts.ParameterDeclaration)) found = true;
      else if (decl) {
        const source = sourceOf(decl);
        if (source && source !== n && dependsOn(source, params, depth + 1)) found = true;
      }
    }
    if (!found) ts.forEachChild(n, visit);
  };
  visit(expr);
  return found;
}

/** The parameter a name is bound by, also through destructuring (`{ writeKey }`). */
function parameterOf(decl: ts.Node): ts.ParameterDeclaration | undefined {
  let n: ts.Node = decl;
  while (ts.isBindingElement(n) || ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) n = n.parent;
  return ts.isParameter(n) ? n : undefined;
}

/** What a local is computed from: its initializer, or for `const [a, b] = await Promise.all([x, y])` the element of `b`. */
function sourceOf(decl: ts.Node): ts.Node | undefined {
  if (ts.isVariableDeclaration(decl)) return decl.initializer;
  if (!ts.isBindingElement(decl)) return undefined;
  const pattern = decl.parent;
  const holder = pattern.parent;
  if (!ts.isVariableDeclaration(holder) || !holder.initializer) return undefined;
  const init = unwrapAwait(holder.initializer);
  if (ts.isArrayBindingPattern(pattern) && ts.isCallExpression(init) && /^Promise\.(all|allSettled)$/.test(init.expression.getText())) {
    const list = init.arguments[0] && unwrap(init.arguments[0]);
    const index = pattern.elements.indexOf(decl);
    if (list && ts.isArrayLiteralExpression(list) && index >= 0) return list.elements[index];
  }
  return holder.initializer;
}

/** What a test of a missing credential mentions. */
const CREDENTIAL = /auth|token|jwt|bearer|session|cookie|credential|api[-_]?key|secret|user|principal|login/i;

/**
 * A call in the helper's own body (not under a `try`) that hands the request on to a function that throws a
 * refusal: `const { user } = await getSession(c)`. Only the parameters the handler's request arrived in count: a
 * sign-in helper that throws 401 for an unknown e-mail it was handed is not a session check.
 */
function throwsThroughCallee(helper: FunctionNode, call: ts.CallExpression, request: ReadonlySet<string>, prov: Provenance): { name: string; refusal: NonNullable<ReturnType<typeof findRefusal>> } | undefined {
  const params = new Set(
    helper.parameters.flatMap((p, i) => (ts.isIdentifier(p.name) && call.arguments[i] && handsOverRequest(call.arguments[i]!, request) ? [p.name.text] : [])),
  );
  if (!params.size || !helper.body) return undefined;
  let found: { name: string; refusal: NonNullable<ReturnType<typeof findRefusal>> } | undefined;
  const visit = (n: ts.Node): void => {
    if (found || (n !== helper.body && isFunctionNode(n)) || ts.isTryStatement(n)) return;
    if (ts.isCallExpression(n) && n.arguments.some((a) => handsOverRequest(a, params))) {
      const callee = prov.calledFunction(n);
      const refusal = callee && callee !== helper && callee.body ? findRefusal(callee.body) : undefined;
      // Thrown by the callee itself, not by a callback inside it, and about a credential: the callee is named for one
      // (`getSession`) or tests one (an invalid client IP answered with 401 is not a session check).
      const thrown = refusal && ts.findAncestor(refusal.node, (a) => a === callee!.body || ts.isThrowStatement(a));
      const overCredential = () =>
        CREDENTIAL.test(n.expression.getText()) || refusalSites(callee!).some((site) => site.conjuncts.some((c) => CREDENTIAL.test(c.context)));
      if (thrown && thrown !== callee!.body && ts.findAncestor(thrown.parent, isFunctionNode) === callee && overCredential()) {
        found = { name: snippet(n.expression, 30), refusal };
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(helper.body);
  return found;
}

/** `req`, `c`, `request.headers`, `c.req.raw.headers`, `{ headers: req.headers }`: the handler's request parameter or its headers. */
function handsOverRequest(arg: ts.Expression, params: ReadonlySet<string>): boolean {
  const a = unwrap(arg);
  if (ts.isIdentifier(a)) return params.has(a.text);
  if (ts.isObjectLiteralExpression(a)) return a.properties.some((p) => ts.isPropertyAssignment(p) && handsOverRequest(p.initializer, params));
  if (ts.isCallExpression(a)) return readsCredentialOf(a, params) || a.arguments.some((x) => handsOverRequest(x, params));
  let root: ts.Node = a;
  while (ts.isPropertyAccessExpression(root)) root = root.expression;
  return ts.isIdentifier(root) && params.has(root.text) && /headers|cookies|session/.test(a.getText());
}

/** `c.req.header('authorization')`, `req.get('x-api-key')`, `req.cookies.get('session')`: a header or cookie read off the request. */
function readsCredentialOf(call: ts.CallExpression, params: ReadonlySet<string>): boolean {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !/^(header|headers|get|getHeader|cookie|getCookie|signedCookie)$/.test(callee.name.text)) return false;
  let root: ts.Node = callee.expression;
  while (ts.isPropertyAccessExpression(root)) root = root.expression;
  return ts.isIdentifier(root) && params.has(root.text);
}

/**
 * The names the handler's request goes by: a Nest parameter decorated `@Req()`, `@Request()` or `@Headers()`;
 * elsewhere the first parameter (`req`, `request`, `c`). A body DTO or an ip is not the request.
 */
function requestParameters(fn: FunctionNode): Set<string> {
  const out = new Set<string>();
  const decorated = fn.parameters.some((p) => (ts.getDecorators(p) ?? []).length > 0);
  fn.parameters.forEach((p, i) => {
    if (!ts.isIdentifier(p.name)) return;
    const isRequest = decorated
      ? (ts.getDecorators(p) ?? []).some((d) => /^(Req|Request|Headers)\b/.test(d.expression.getText()))
      : i === 0;
    if (isRequest) out.add(p.name.text);
  });
  return out;
}

function refusesOnVerdict(call: ts.Expression, check: ts.IfStatement, prov: Provenance): string | undefined {
  // `return res.status(auth.status).json(...)`: the status the helper answers, 401 on a missing credential.
  const refused =
    refusal(check.thenStatement, 'auth') ??
    findHelperStatusRefusal(check.thenStatement, prov.resolver)?.node;
  return refused ? `${snippet(call, 50)} checks the credential, then \`if (${snippet(check.expression, 30)})\` ${snippet(refused, 40)}` : undefined;
}

/**
 * `const auth = await authenticate(c); if (!auth.ok) return auth.response`, where the helper (or the one it returns
 * the result of) answers `{ ok: false, response: c.json(..., 401) }`: the handler sends the refusal the helper built.
 */
function returnsHelperRefusal(call: ts.Expression, check: ts.IfStatement, holder: string, helper: FunctionNode | undefined, prov: Provenance): string | undefined {
  const statements = ts.isBlock(check.thenStatement) ? check.thenStatement.statements : [check.thenStatement];
  const ret = statements.length === 1 && ts.isReturnStatement(statements[0]) ? statements[0].expression : undefined;
  const sent = ret && unwrap(ret);
  if (!helper || !sent || !ts.isPropertyAccessExpression(sent) || !ts.isIdentifier(sent.expression) || sent.expression.text !== holder) return undefined;
  // A built 403 from a quota or plan check refuses too, but not for want of a caller: the helper must be named for one.
  const made = unwrapAwait(call);
  if (!ts.isCallExpression(made) || !CREDENTIAL.test(made.expression.getText())) return undefined;
  const member = sent.name.text;
  const built = builtRefusal(helper, member, prov, 0);
  return built ? `${snippet(call, 50)} builds the refusal, then \`if (${snippet(check.expression, 30)}) return ${snippet(sent, 30)}\` (${snippet(built.node, 40)})` : undefined;
}

/** A refusal the function returns as `member` of an object it answers, directly or through the function whose result it returns. */
function builtRefusal(fn: FunctionNode, member: string, prov: Provenance, depth: number): ReturnType<typeof findRefusal> {
  for (const r of returnedExpressions(fn)) {
    let e = unwrapAwait(r);
    // `const auth = await authenticateVaultRequest(c); if (!auth.ok) return auth`: what the local was given.
    if (ts.isIdentifier(e)) {
      const decl = findDeclaration(e.text, e);
      if (decl && ts.isVariableDeclaration(decl) && decl.initializer) e = unwrapAwait(decl.initializer);
    }
    if (ts.isObjectLiteralExpression(e)) {
      const prop = e.properties.find((p) => ts.isPropertyAssignment(p) && p.name.getText() === member);
      const found = prop && ts.isPropertyAssignment(prop) ? findRefusal(prop.initializer) : undefined;
      if (found) return found;
    } else if (ts.isCallExpression(e) && depth < 2) {
      const inner = prov.resolver.functionOf(e.expression);
      const found = inner && inner !== fn ? builtRefusal(inner, member, prov, depth + 1) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

/** A branch whose refusal sends the browser to the login page rather than answering 401/403. */
function redirectsToLogin(branch: ts.Statement): boolean {
  const refused = refusal(branch, 'auth');
  let redirects = false;
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'redirect') redirects = true;
    else ts.forEachChild(n, visit);
  };
  if (refused) visit(refused);
  return redirects;
}

function mentions(expr: ts.Node, name: string): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(expr);
  return found;
}

function isAbsenceOf(cond: ts.Expression, name: string): boolean {
  const e = unwrap(cond);
  return ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken && ts.isIdentifier(unwrap(e.operand)) && (unwrap(e.operand) as ts.Identifier).text === name;
}

function returnsIn(st: ts.Statement): boolean {
  if (ts.isReturnStatement(st)) return true;
  return ts.isBlock(st) && st.statements.some((s) => ts.isReturnStatement(s));
}

/**
 * `try { const decoded = jwt.verify(token, secret); ...the work... } catch (e) { res.status(500).send(...) }`: the
 * verification throws without a valid token and the catch answers an error, so the work never runs for an
 * anonymous caller. A verifier given a callback does not throw; a catch that carries on is no refusal.
 */
function verifiedInTry(st: ts.Statement, prov: Provenance): string | undefined {
  const block = st.parent;
  const tryStatement = ts.isBlock(block) && ts.isTryStatement(block.parent) && block.parent.tryBlock === block ? block.parent : undefined;
  if (!tryStatement?.catchClause || !ts.isVariableStatement(st)) return undefined;
  const init = st.declarationList.declarations[0]?.initializer;
  const call = init && unwrapAwait(init);
  // A package's verifier, which throws; a project helper may answer `false` instead, and the catch never runs.
  if (!call || !ts.isCallExpression(call) || !isPackageVerification(call, prov.resolver)) return undefined;
  if (!call.arguments[0] || !fromCredentialCarrier(call.arguments[0], 0)) return undefined;
  const answered = failureAnswer(tryStatement.catchClause.block);
  return answered ? `${snippet(call, 50)} throws without a valid token, and the catch answers \`${snippet(answered, 40)}\`` : undefined;
}

/**
 * A token read from where callers carry their credential (the Authorization header, a cookie, the session), directly
 * or through the locals it is computed from; a token in the body or the query is a capability (a reset or an
 * invitation link), not the caller's sign-in.
 */
function fromCredentialCarrier(e: ts.Node, depth: number): boolean {
  const u = unwrap(e as ts.Expression);
  if (/headers|authorization|cookie|bearer|session/i.test(u.getText())) return true;
  if (!ts.isIdentifier(u) || depth > 3) return false;
  const decl = findDeclaration(u.text, u);
  const source = decl && sourceOf(decl);
  if (source) return fromCredentialCarrier(source, depth + 1);
  // `let token; if (req.headers.cookie) { ...; token = authCookie.split('=')[1] }`: what it is assigned.
  return !!decl && ts.isVariableDeclaration(decl) && assignmentsTo(decl).some((value) => fromCredentialCarrier(value, depth + 1));
}

/** The values assigned to a local declared without an initializer, in the function that declares it. */
function assignmentsTo(decl: ts.VariableDeclaration): ts.Expression[] {
  const scope = ts.findAncestor(decl, isFunctionNode);
  if (!scope?.body || !ts.isIdentifier(decl.name)) return [];
  const name = decl.name.text;
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && n.left.text === name && findDeclaration(name, n.left) === decl) out.push(n.right);
    ts.forEachChild(n, visit);
  };
  visit(scope.body);
  return out;
}

/** `!token`, where the token is read from the Authorization header or a cookie: true when the caller brought none. */
function refusesWithoutCredential(cond: ts.Expression): boolean {
  const e = unwrap(cond);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.BarBarToken) return refusesWithoutCredential(e.left) || refusesWithoutCredential(e.right);
  if (!ts.isPrefixUnaryExpression(e) || e.operator !== ts.SyntaxKind.ExclamationToken) return false;
  const operand = unwrap(e.operand);
  return ts.isIdentifier(operand) && CREDENTIAL.test(operand.text) && !OTHER_TOKEN.test(operand.text) && !readsOtherToken(operand) && fromCredentialCarrier(operand, 0);
}

/** `const token = request.cookies.refreshToken`: whatever the local is called, it holds a sign-in step's own token. */
function readsOtherToken(id: ts.Identifier): boolean {
  const decl = findDeclaration(id.text, id);
  const source = decl && sourceOf(decl);
  return !!source && OTHER_TOKEN.test(source.getText());
}

/** Tokens that are not the caller's sign-in: a refresh token is what a sign-in step exchanges; the others are links' capabilities. */
const OTHER_TOKEN = /refresh|reset|invit|verif|magic|otp|activation|confirm/i;
/** A helper's verdict held under this name is about the refresh token a sign-in step exchanges (`verified` is not one). */
const REFRESH_TOKEN = /refresh/i;

/** A catch block that answers an error (any 4xx/5xx, `next(err)`, a rethrow) and does nothing else but log. */
function failureAnswer(block: ts.Block): ts.Node | undefined {
  let answer: ts.Node | undefined;
  for (const st of block.statements) {
    if (ts.isThrowStatement(st)) return answer ?? st;
    const expr = ts.isReturnStatement(st) ? st.expression : ts.isExpressionStatement(st) ? st.expression : undefined;
    if (!expr) return undefined;
    const e = unwrapAwait(expr);
    if (/^(console|logger|log)\./.test(e.getText())) continue;
    if (!answer && answersError(e)) answer = e;
    else return undefined;
  }
  return answer;
}

/** `res.status(500).send(...)`, `res.sendStatus(401)`, `next(err)`: a response with an error status, or the error handed on. */
function answersError(e: ts.Expression): boolean {
  return isRefusingResponse(e, 'client-error') || errorStatusOf(e) !== undefined;
}

/** The body's statements, looking into a leading `try { ... }` whose block holds the real work. */
function leadingStatements(body: ts.Block): ts.Statement[] {
  const out: ts.Statement[] = [];
  for (const st of body.statements) {
    if (ts.isTryStatement(st)) out.push(...st.tryBlock.statements);
    else out.push(st);
  }
  return out;
}

/** `req.isAuthenticated()`, `req.user`, `user && ...`: true only when there is a principal. */
function requiresPrincipal(cond: ts.Expression, prov: Provenance): boolean {
  const e = unwrap(cond);
  if (asksAuthenticated(cond)) return true;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) return requiresPrincipal(e.left, prov) || requiresPrincipal(e.right, prov);
  return (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) && prov.origin(e).kind === 'principal';
}

/** `req.isAuthenticated()` (passport), `req.isLoggedIn()`: asks whether someone signed in. */
function asksAuthenticated(expr: ts.Node): boolean {
  const e = unwrap(expr);
  return ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && /^(isAuthenticated|isLoggedIn|isSignedIn)$/.test(e.expression.name.text);
}

/** A branch that answers through a project helper named for the refusal, or one that refuses: `response.errorForbidden(req, res)`. */
function refusingCall(branch: ts.Statement, prov: Provenance): ts.Node | undefined {
  const statements = ts.isBlock(branch) ? [...branch.statements] : [branch];
  for (const st of statements) {
    const expr = ts.isReturnStatement(st) ? st.expression : ts.isExpressionStatement(st) ? st.expression : undefined;
    const call = expr && unwrap(expr);
    if (!call || !ts.isCallExpression(call)) continue;
    const name = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : ts.isIdentifier(call.expression) ? call.expression.text : '';
    if (REFUSING_HELPER.test(name)) return call;
    const helper = prov.calledFunction(call);
    if (helper?.body && findRefusal(helper.body)) return call;
  }
  return undefined;
}

const REFUSING_HELPER = /^(error|send|respond|reply)?(Forbidden|Unauthori[sz]ed|AccessDenied|NotAuthenticated|LoginRequired|RequireLogin|RedirectToLogin)$/i;

/** `!user`, `!req.user?.id`, `user == null`, `!user || ...`: true when the principal is absent. */
function refusesWithoutPrincipal(cond: ts.Expression, prov: Provenance): boolean {
  const e = unwrap(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return prov.origin(e.operand).kind === 'principal' || asksAuthenticated(e.operand);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken) return refusesWithoutPrincipal(e.left, prov) || refusesWithoutPrincipal(e.right, prov);
    if (op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsEqualsToken) {
      const nullish = (n: ts.Node) => n.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(n) && n.text === 'undefined');
      return (nullish(unwrap(e.right)) && prov.origin(e.left).kind === 'principal') || (nullish(unwrap(e.left)) && prov.origin(e.right).kind === 'principal');
    }
  }
  return false;
}

import { ts } from 'ts-morph';
import type { Evidence, EvidenceKind } from '../model/types.js';
import { isFunctionNode, type FunctionNode } from '../syntax/functions.js';
import { locOf, snippet } from '../syntax/loc.js';
import { findDeclaration } from '../syntax/scope.js';
import { unwrap } from '../syntax/resolve.js';
import type { Provenance } from './provenance.js';
import { constantAnswer, refusesEveryone } from './static-answer.js';

/**
 * What a handler does that says whether its route is meant to be open: it reads the caller's identity (it
 * needs one), or it issues a session or token, checks a password, verifies a webhook signature, renders a
 * page or sends a file (the kinds of work open routes do). Read from the handler and the project functions
 * it calls directly, with their parameters bound to the handler's values; one piece of evidence per kind.
 */
export function handlerSignals(fn: FunctionNode, prov: Provenance, root: string): Evidence[] {
  const found = new Map<EvidenceKind, Evidence>();
  const add = (kind: EvidenceKind, message: string, node: ts.Node) => {
    if (found.has(kind)) return;
    const loc = locOf(node, root);
    found.set(kind, { kind, message, file: loc.file, line: loc.line });
  };
  const visit = (body: FunctionNode, p: Provenance, depth: number): void => {
    const step = (n: ts.Node): void => {
      if (n !== body && isFunctionNode(n) && !isCallbackArgument(n)) return;
      // `req.session.userId = user.id`: writing the caller's identity into the session signs them in.
      if (isAssignedTo(n) && readsPrincipal(n, p)) add('issues-credentials', `signs the caller in: sets \`${snippet(n, 50)}\``, n);
      else if (!found.has('reads-principal') && readsPrincipal(n, p)) {
        if (verifiesItself(n, p)) add('optional-auth', `verifies the caller's credentials itself without refusing when there are none: \`${snippet(n, 50)}\``, n);
        else if (optionalRead(n)) add('optional-auth', `reads the caller's identity only when there is one: \`${snippet(n.parent, 50)}\``, n);
        else add('reads-principal', `reads the caller's identity: \`${snippet(n, 50)}\``, n);
      }
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'SignJWT') add('issues-credentials', `signs a token: \`${snippet(n, 50)}\``, n);
      const signature = signatureHeader(n);
      if (signature) add('verifies-signature', `reads the webhook signature header \`${signature}\` to check it: \`${snippet(n, 50)}\``, n);
      const hmac = comparedHmac(n);
      if (hmac) add('verifies-signature', `computes an HMAC of the request and compares it: \`${snippet(hmac, 50)}\``, n);
      // Nest and Fastify answer with what the handler returns: `return configSchema.parse(process.env)`.
      if (depth === 0 && ts.isReturnStatement(n) && n.expression && RETURNS_ANSWER.has(p.spec.framework) && ts.findAncestor(n, isFunctionNode) === body) {
        const env = wholeEnvironment(n.expression);
        if (env) add('exposes-environment', `answers the server's whole environment (\`${snippet(env, 30)}\`), secrets included: \`${snippet(n, 50)}\``, n);
      }
      if (ts.isCallExpression(n)) {
        callSignal(n, add);
        if (depth < SIGNAL_DEPTH) {
          const callee = p.calledFunction(n);
          const inner = callee && callee !== body ? p.forHelper(callee, n) : undefined;
          if (callee && inner) visit(callee, inner, depth + 1);
        }
      }
      ts.forEachChild(n, step);
    };
    if (body.body) step(body.body);
  };
  // Nest: `@Headers('stripe-signature') signature: string`.
  for (const param of fn.parameters) {
    const header = ts.getDecorators(param)?.map((d) => d.expression).find((e) => ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'Headers');
    const name = header && ts.isCallExpression(header) ? header.arguments[0] : undefined;
    if (name && ts.isStringLiteralLike(name) && SIGNATURE_HEADER.test(name.text)) add('verifies-signature', `reads the webhook signature header \`${name.text}\` to check it: \`${snippet(param, 50)}\``, param);
  }
  visit(fn, prov, 0);
  const constant = constantAnswer(fn);
  if (constant) add('static-answer', `answers a constant and reads or changes nothing: \`${snippet(constant, 50)}\``, constant);
  const refused = !constant ? refusesEveryone(fn, (call) => prov.calledFunction(call)) : undefined;
  if (refused) add('static-answer', `answers every caller alike with an error and serves nothing: \`${snippet(refused, 50)}\``, refused);
  return [...found.values()];
}

/** The target of a plain assignment: `n = ...`. */
function isAssignedTo(n: ts.Node): boolean {
  return ts.isBinaryExpression(n.parent) && n.parent.left === n && n.parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
}

/** `request.headers['x-twilio-email-event-webhook-signature']`, `req.header('stripe-signature')`: the header's name. */
function signatureHeader(n: ts.Node): string | undefined {
  if (ts.isElementAccessExpression(n) && ts.isStringLiteralLike(n.argumentExpression) && /headers$/.test(n.expression.getText())) {
    return SIGNATURE_HEADER.test(n.argumentExpression.text) ? n.argumentExpression.text : undefined;
  }
  if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && /^(header|get)$/.test(n.expression.name.text)) {
    const first = n.arguments[0];
    if (first && ts.isStringLiteralLike(first) && SIGNATURE_HEADER.test(first.text) && /\b(req|request|c\.req|headers)\b/.test(n.expression.expression.getText())) return first.text;
  }
  return undefined;
}

/** Headers that carry a webhook's signature or its shared secret (`x-hub-signature-256`, `x-postmark-secret`). */
const SIGNATURE_HEADER = /signature|hmac|secret|webhook[-_]?(token|key)/i;

/**
 * `createHmac('sha256', key).update(body).digest('hex')` compared with something (`hash !== signature`,
 * `timingSafeEqual(expected, given)`): a signature checked by hand. An HMAC only computed (a signed URL handed
 * out) is not a check. Answers the `createHmac` call.
 */
function comparedHmac(n: ts.Node): ts.Node | undefined {
  if (!ts.isCallExpression(n)) return undefined;
  const callee = n.expression;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  if (name !== 'createHmac') return undefined;
  let chain: ts.Node = n;
  while ((ts.isPropertyAccessExpression(chain.parent) || ts.isCallExpression(chain.parent)) && chain.parent.expression === chain) chain = chain.parent;
  if (ts.isAwaitExpression(chain.parent)) chain = chain.parent;
  if (isCompared(chain)) return n;
  const decl = chain.parent;
  if (!ts.isVariableDeclaration(decl) || decl.initializer !== chain || !ts.isIdentifier(decl.name)) return undefined;
  const variable = decl.name.text;
  const scope = ts.findAncestor(decl, isFunctionNode) ?? decl.getSourceFile();
  let compared = false;
  const look = (m: ts.Node): void => {
    if (compared) return;
    if (ts.isIdentifier(m) && m.text === variable && m !== decl.name && isCompared(m)) compared = true;
    else ts.forEachChild(m, look);
  };
  look(scope);
  return compared ? n : undefined;
}

/** `a === b`, `a !== b`, `timingSafeEqual(a, b)`, `safeCompare(a, b)`: the value is compared with another. */
function isCompared(n: ts.Node): boolean {
  const parent = n.parent;
  if (ts.isBinaryExpression(parent)) {
    const op = parent.operatorToken.kind;
    return op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
  }
  // `timingSafeEqual(Buffer.from(a), Buffer.from(b))`: the value inside a wrapper that is compared.
  const call = ts.findAncestor(parent, (m) => ts.isCallExpression(m) && /equal|compare/i.test(m.expression.getText().split('.').pop() ?? ''));
  return Boolean(call && ts.isCallExpression(call) && call.arguments.some((a) => a.pos <= n.pos && n.end <= a.end));
}

/** Handler, its callees and theirs: a webhook's signature is often checked two calls down. */
const SIGNAL_DEPTH = 2;

/**
 * A read that copes with no principal: `req.user?.id`, `user ? ... : ...`, `if (user)`, `user && ...`, `user ?? null`,
 * or a variable holding it that is tested so. On an unguarded route that is optional authentication by the
 * handler; a plain `req.user.id` would throw for an anonymous caller, so the route was meant to be guarded.
 */
function optionalRead(n: ts.Node): boolean {
  if (testedForAbsence(n)) return true;
  const parent = n.parent;
  const decl = ts.isAwaitExpression(parent) ? parent.parent : parent;
  if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return false;
  const name = decl.name.text;
  const scope = decl.parent?.parent?.parent;
  let tested = false;
  const visit = (m: ts.Node): void => {
    if (tested) return;
    if (ts.isIdentifier(m) && m.text === name && m !== decl.name && testedForAbsence(m)) tested = true;
    else ts.forEachChild(m, visit);
  };
  if (scope) visit(scope);
  return tested;
}

function testedForAbsence(n: ts.Node): boolean {
  // `res.locals?.user?.id`: the chain itself copes with a missing link.
  for (let link = n; ts.isPropertyAccessExpression(link) || ts.isElementAccessExpression(link); link = link.expression) {
    if (link.questionDotToken) return true;
  }
  const parent = n.parent;
  if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === n && parent.questionDotToken) return true;
  if (ts.isIfStatement(parent) && parent.expression === n) return true;
  if (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) return true;
  if (ts.isConditionalExpression(parent) && parent.condition === n) return true;
  if (ts.isBinaryExpression(parent) && parent.left === n) {
    const op = parent.operatorToken.kind;
    return op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken;
  }
  return false;
}

/**
 * `jwt.verify(token, key)`, `getAuthUser(c)`, `await userFromSession(req)`: the handler works out the caller
 * itself. Had it refused without one, the route would be protected inline; it did not, so anonymous callers
 * get through on purpose. A guard's leftovers (`req.user`, `c.get('user')`) are property reads, not this.
 */
function verifiesItself(n: ts.Node, p: Provenance): boolean {
  const call = ts.isCallExpression(n) ? n : undefined;
  if (!call) return false;
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return true;
  // `req.user.id.toString()`: a method of the principal's own value reads it, it verifies nothing.
  if (p.origin(callee.expression).kind === 'principal') return false;
  return callee.name.text !== 'get' && callee.name.text !== 'var';
}

/** The outermost read of the principal: `req.user.id`, `c.get('user')`, `user.id` of a `@CurrentUser() user`. */
function readsPrincipal(n: ts.Node, p: Provenance): boolean {
  if (!ts.isPropertyAccessExpression(n) && !ts.isElementAccessExpression(n) && !ts.isCallExpression(n)) return false;
  const parent = n.parent;
  // Only the outermost link of a chain: `req.user.id` is one read, not three.
  if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === n) return false;
  if (ts.isCallExpression(parent) && parent.expression === n) return false;
  return p.origin(n).kind === 'principal';
}

/** Callbacks given to a call run with the same request (`users.map((u) => ...)`, `.then(...)`); nested declarations do not. */
function isCallbackArgument(n: ts.Node): boolean {
  return ts.isCallExpression(n.parent) && n.parent.arguments.includes(n as ts.Expression);
}

/** Method names that mint a session or a token: `jwt.sign`, `jwtService.signAsync`, `reply.jwtSign`, `req.login`, `generateAuthTokens`. */
const ISSUES = /^(sign|signAsync|jwtSign|make(Jwt|JWT|Token)|encode(Jwt|JWT|Token)|sign(Jwt|JWT|Token|Tokens|In|InEmail|InWithPassword|InUser)|(create|issue|generate|mint)(Auth|Access|Refresh|Session|Jwt|JWT|Login|User)?(Token|Tokens|Jwt|JWT|Session|Sessions)(Pair)?|log[iI]n|createUserSession|setSession|regenerate)$/;
/** Password and one-time code checks. */
const CHECKS = /^(compare|compareSync|(compare|check|verify|validate|match|is(Valid)?)(Password|Passwords|Credentials|Otp|OTP|Totp|TOTP|Code)(Match|Matches|Valid)?|isPasswordMatch|validateUser|authenticateUser)$/;
/** Webhook signature checks: Stripe's constructEvent, Octokit's verifyAndReceive, verify*Signature helpers, parse*WebhookEvent. */
const SIGNATURE = /^(constructEvent|constructEventAsync|verifyAndReceive|(verify|validate|check|isValid)\w*(Webhook|Signature|Hmac|Sig)\w*|(valid|assert|ensure)\w*(Signature|Hmac)\w*|(parse|construct|read)\w*WebhookEvent\w*)$/;
/** A webhook's signing secret, as configured: `POLAR_WEBHOOK_SECRET`, `config.webhookSigningKey`, `SIGNING_SECRET`. */
const WEBHOOK_SECRET = /webhook[_-]?(signing[_-]?)?(secret|key)|signing[_-]?(secret|key)|whsec_/i;
/** `compare` is a password check only on a hashing library or with a password in sight. */
const GENERIC_COMPARE = new Set(['compare', 'compareSync']);
const RENDERS = new Set(['render', 'view', 'html']);
const SENDS_FILE = new Set(['sendFile', 'sendfile', 'download']);

/** A function named for checking a webhook's signature: `verifySlackSignature`, `validateWebhook`, `checkHmac`. */
export function isSignatureCheckName(name: string): boolean {
  return SIGNATURE.test(name);
}

/** A call that checks a webhook's signature (`stripe.webhooks.constructEvent`, `connection.verifyWebhook(req)`, a helper given the signing secret). */
export function isSignatureCheck(call: ts.CallExpression): boolean {
  const callee = call.expression;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  if (!name) return false;
  return SIGNATURE.test(name) || (name === 'verify' && /webhook|svix|signature/i.test(callee.getText())) || handsRequestWithSecret(call);
}

/**
 * The signature check a middleware makes when that is its only check: it refuses unless a webhook's signature
 * holds, and never reads a user's credentials (the Authorization header, a session) nor records a caller
 * (`req.user = ...`, `c.set('user', ...)`). A JWT middleware calling `verifyTokenSignature(...)` is not this.
 */
export function senderCheckIn(fn: FunctionNode): ts.CallExpression | undefined {
  if (!fn.body) return undefined;
  if (USER_CREDENTIALS.test(fn.body.getText())) return undefined;
  let found: ts.CallExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && isSignatureCheck(n)) found = n;
    ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return found;
}

/** What a middleware that checks users reads or sets. */
const USER_CREDENTIALS = /authorization|\bsession\b|\.user\s*=|set\(\s*['"](user|session|auth)|cookies?\b|bearer/i;

/** A call given the request (its body, raw body or headers) and the webhook's signing secret, as values. */
function handsRequestWithSecret(call: ts.CallExpression): boolean {
  const values = call.arguments.filter((a) => !isFunctionNode(unwrap(a)));
  return values.some((a) => WEBHOOK_SECRET.test(a.getText())) && values.some((a) => /\b(req|request|c\.req|ctx\.request)\b/.test(a.getText()));
}

function callSignal(call: ts.CallExpression, add: (kind: EvidenceKind, message: string, node: ts.Node) => void): void {
  const callee = call.expression;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  if (!name) return;
  const text = snippet(call, 50);
  if (name === 'type' || name === 'contentType' || name === 'header' || name === 'set') {
    // `res.type('html').send(...)`, `reply.header('content-type', 'text/html')`: a page.
    if (call.arguments.some((a) => ts.isStringLiteralLike(a) && /^(html|text\/html)/.test(a.text))) add('renders-page', `answers with HTML: \`${text}\``, call);
    return;
  }
  if (name === 'cookie' || name === 'setCookie') {
    const first = call.arguments[0];
    if (first && ts.isStringLiteralLike(first) && /token|session|auth|jwt|sid/i.test(first.text)) add('issues-credentials', `sets a session cookie: \`${text}\``, call);
    return;
  }
  if (ISSUES.test(name)) add('issues-credentials', `issues a session or token: \`${text}\``, call);
  else if (CHECKS.test(name) && (!GENERIC_COMPARE.has(name) || /bcrypt|argon|hash|password/i.test(callee.getText() + text)))
    add('checks-credentials', `checks a password or code: \`${text}\``, call);
  else if (SIGNATURE.test(name) || (name === 'verify' && /webhook|svix|signature/i.test(callee.getText())))
    add('verifies-signature', `verifies a signature: \`${text}\``, call);
  // validatePolarEvent(request.rawBody, request.headers, process.env.POLAR_WEBHOOK_SECRET): whatever the SDK calls
  // it, the request handed over with the webhook's signing secret is checked against it.
  else if (handsRequestWithSecret(call))
    add('verifies-signature', `checks the request with the webhook's signing secret: \`${text}\``, call);
  // bot.webhooks.telegram(c.req.raw): the raw request handed to a platform SDK's webhook adapter, which verifies it.
  else if (ts.isPropertyAccessExpression(callee) && /(^|\.)webhooks?$/i.test(callee.expression.getText()) && call.arguments.some((a) => /\b(req|request|c\.req)\b/.test(a.getText())))
    add('verifies-signature', `hands the request to a webhook adapter that verifies it: \`${text}\``, call);
  else if (RENDERS.has(name) && ts.isPropertyAccessExpression(callee) && /^(res|reply|c|ctx|response)$/.test(callee.expression.getText()))
    add('renders-page', `renders a page: \`${text}\``, call);
  else if (SENDS_FILE.has(name) && ts.isPropertyAccessExpression(callee)) add('serves-file', `sends a file: \`${text}\``, call);
  if (ANSWERS_WITH.has(name) && ts.isPropertyAccessExpression(callee)) {
    const env = call.arguments.map(wholeEnvironment).find(Boolean);
    if (env) add('exposes-environment', `answers the server's whole environment (\`${snippet(env, 30)}\`), secrets included: \`${text}\``, call);
  }
}

/** Frameworks whose handlers answer with their return value. */
const RETURNS_ANSWER = new Set(['nest', 'fastify']);

/** Calls that answer the request with their argument. */
const ANSWERS_WITH = new Set(['json', 'send', 'write', 'end', 'text', 'body', 'jsonp']);

/**
 * `process.env` used whole inside an answer (`res.json(process.env)`, `{ env: process.env }`, `{ ...process.env }`,
 * `JSON.stringify(process.env)`); `process.env.PORT` reads one setting and `Object.keys(process.env)` only names.
 */
function wholeEnvironment(arg: ts.Node, depth = 0): ts.Node | undefined {
  if (ts.isPropertyAccessExpression(arg) && arg.getText().replace(/\s/g, '') === 'process.env') return arg;
  // `const result = { env: process.env, ... }; res.json(result)`: the local the answer is built in.
  if (ts.isIdentifier(arg) && depth < 2) {
    const decl = findDeclaration(arg.text, arg);
    return decl && ts.isVariableDeclaration(decl) && decl.initializer ? wholeEnvironment(decl.initializer, depth + 1) : undefined;
  }
  // `JSON.stringify(process.env)`, `configSchema.parse(process.env)` (a validated copy of the same settings).
  if (ts.isCallExpression(arg) && !/^JSON\.stringify$|\.(parse|safeParse|validate)$/.test(arg.expression.getText())) return undefined;
  // A member of something (`process.env.PORT`) is one value of it, not the whole.
  if (isFunctionNode(arg) || ts.isPropertyAccessExpression(arg) || ts.isElementAccessExpression(arg)) return undefined;
  return ts.forEachChild(arg, (n) => wholeEnvironment(n, depth));
}

// Origins beyond a handler's own parameters, one shape per handler: verified token payloads (and what is not
// verified), the request reached through a typed parameter or an Express-style (req, res, next) helper,
// objects built from the principal, and per-request stores nothing in the project writes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ts } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import { FunctionSummaries } from '../../src/analysis/function-summary.js';
import { IdentityFields } from '../../src/analysis/identity-fields.js';
import { originSources } from '../../src/analysis/origin-sources.js';
import { Provenance } from '../../src/analysis/provenance.js';
import { defaultConfig } from '../../src/model/config.js';
import { testExpressSpec } from './express-test-spec.js';
import { FixtureProject, describeOrigin, sinkArgument } from './harness.js';

// Each handler passes one value to `sink(...)`; the test asks where that value comes from.
const source = `
import express, { type Request } from 'express';
import jwt from 'jsonwebtoken';
import { jwtVerify } from 'jose';
import { JwtService } from '@nestjs/jwt';
import { AsyncLocalStorage } from 'node:async_hooks';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';

const app = express();
const key = new TextEncoder().encode('k');
function sink(..._values: unknown[]) {}

class Tokens {
  constructor(private readonly jwt: JwtService) {}
  read(token: string) { return this.jwt.verifyAsync(token); }
}
const tokens = new Tokens(new JwtService());

function userIdOf(req: Request) { return req.user!.id; }
function claimedIdOf(req: Request) { return req.headers['x-user-id']; }
function fromMiddlewareShape(req: any, res: any, next: () => void) { return req.user.id; }
function firstOfTwo(req: any, res: any) { return req.user.id; }

const unwritten = new AsyncLocalStorage<{ userId: string }>();

app.post('/jsonwebtoken', (req, res) => { const payload = jwt.verify(String(req.headers.authorization), 'secret') as { sub: string }; sink(payload.sub); });
app.post('/jsonwebtoken-callback', (req, res) => { const r = jwt.verify(String(req.headers.authorization), 'secret', () => {}); sink(r); });
app.post('/decoded-only', (req, res) => { const payload = jwt.decode(String(req.headers.authorization)) as { sub: string }; sink(payload.sub); });
app.post('/jose', async (req, res) => { const { payload } = await jwtVerify(String(req.headers.authorization), key); sink(payload.sub); });
app.post('/nest-jwt', async (req, res) => { const claims = await tokens.read(String(req.headers.authorization)); sink(claims.sub); });
app.post('/typed-helper', (req, res) => { sink(userIdOf(req)); });
app.post('/typed-helper-header', (req, res) => { sink(claimedIdOf(req)); });
app.post('/middleware-shape', (req, res) => { sink(fromMiddlewareShape(req, res, () => {})); });
app.post('/two-params', (req, res) => { sink(firstOfTwo(req, res)); });
app.post('/principal-object', (req, res) => { const me = { id: req.user!.id, email: req.user!.email }; sink(me.id); });
app.post('/mixed-object', (req, res) => { const me = { id: req.user!.id, role: req.body.role }; sink(me.id); });
app.post('/unwritten-store', (req, res) => { sink(unwritten.getStore()?.userId); });

// passport-jwt calls these with the verified payload: first, or second after the request with passReqToCallback.
function verified(_tag: string, _value: unknown) {}
const fromHeader = ExtractJwt.fromAuthHeaderAsBearerToken();
new JwtStrategy({ secretOrKey: 's', jwtFromRequest: fromHeader }, (payload, done) => { verified('payload', payload.sub); done(null, payload); });
new JwtStrategy({ secretOrKey: 's', jwtFromRequest: fromHeader, passReqToCallback: true }, (req: Request, payload, done) => {
  verified('after-request', payload.sub);
  verified('request-body', req.body.userId);
  done(null, payload);
});
new JwtStrategy({ secretOrKey: 's', jwtFromRequest: fromHeader, passReqToCallback: true }, (payload, done) => { verified('misplaced', payload.sub); });
const sharedOptions = { secretOrKey: 's', jwtFromRequest: fromHeader };
new JwtStrategy(sharedOptions, (payload, done) => { verified('options-elsewhere', payload.sub); });
`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-principal-sources-'));
fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module", "dependencies": { "express": "*", "jsonwebtoken": "*", "jose": "*", "@nestjs/jwt": "*", "passport-jwt": "*" } }');
fs.mkdirSync(path.join(dir, 'src'));
fs.writeFileSync(path.join(dir, 'src/app.ts'), source);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const project = new FixtureProject(dir);
const summaries = new FunctionSummaries({ schema: project.schema, resolver: project.resolver }, project.resolver);
const sources = originSources(project.resolver, project.schema, summaries, new IdentityFields(defaultConfig()));

function originAt(route: string): string {
  const fn = project.handler('src/app.ts', `POST ${route}`);
  const prov = new Provenance(testExpressSpec(fn), project.resolver, { helperDepth: 4, summaries, sources });
  return describeOrigin(prov.origin(sinkArgument(fn)));
}

/** The origin of the value passed as `verified('<tag>', value)`, outside any handler. */
function verifiedAt(tag: string): string {
  const sf = project.project.files.get(path.join(dir, 'src/app.ts'))!;
  let arg: ts.Expression | undefined;
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && n.expression.getText() === 'verified' && ts.isStringLiteral(n.arguments[0]) && n.arguments[0].text === tag) arg = n.arguments[1];
    ts.forEachChild(n, visit);
  };
  visit(sf);
  const spec = { framework: 'express' as const, classify: () => undefined, principalIdText: () => undefined };
  return describeOrigin(new Provenance(spec, project.resolver, { summaries, sources }).origin(arg!));
}

describe('origin sources', () => {
  it.each([
    // jsonwebtoken's verify returns the payload only for a valid signature; with a callback it returns nothing.
    ['/jsonwebtoken', 'principal[sub]'],
    ['/jsonwebtoken-callback', 'none'],
    // Decoding does not verify: the client wrote the payload.
    ['/decoded-only', 'none'],
    ['/jose', 'principal[payload.sub]'],
    ['/nest-jwt', 'principal[sub]'],
    // The handler's request passed to a helper that declares it as express's Request.
    ['/typed-helper', 'principal[id]'],
    ['/typed-helper-header', 'request:headers[x-user-id]'],
    // An untyped (req, res, next) is the request; an untyped (req, res) is not assumed to be.
    ['/middleware-shape', 'principal[id]'],
    ['/two-params', 'none'],
    // An object built only from the principal is the principal; one mixing in the body is neither.
    ['/principal-object', 'principal[id]'],
    ['/mixed-object', 'none'],
    // A store nothing in the project writes holds nothing we can trust.
    ['/unwritten-store', 'none'],
  ])('%s → %s', (route, expected) => {
    expect(originAt(route)).toBe(expected);
  });

  it.each([
    ['payload', 'principal[sub]'],
    ['after-request', 'principal[sub]'],
    ['request-body', 'request:body[userId]'],
    // with passReqToCallback the first parameter is the request, whatever its name
    ['misplaced', 'none'],
    // options not written at the call: where the payload comes is unknown
    ['options-elsewhere', 'none'],
  ])('passport-jwt verify callback: %s → %s', (tag, expected) => {
    expect(verifiedAt(tag)).toBe(expected);
  });
});

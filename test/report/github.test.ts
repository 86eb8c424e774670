import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, formatGithub } from '../../src/report/index.js';
import { makeResult, missingAuth } from './sample.js';

describe('github reporter', () => {
  it('escapes data and properties per the workflow-command rules', () => {
    expect(escapeData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeProperty('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext%3A a%2C b');
    // `%` first, so an escape sequence already in the text is not mistaken for one of ours.
    expect(escapeProperty('%3A')).toBe('%253A');
  });

  it('prints one command per finding and diagnostic, then a summary line', () => {
    const out = formatGithub(makeResult('/r', { suppressed: [missingAuth] }), { format: 'github', color: true, root: '/r' });
    expect(out).toBe(
      [
        '::error file=src/users.ts,line=3,col=1,endLine=3,endColumn=10,title=auth-enforcer(missing-auth)::GET /users/:id has no authentication guard',
        '::warning file=src/users.ts,line=4,col=22,endLine=4,endColumn=74,title=auth-enforcer(unscoped-query)::GET /users/:id reads user by req.params.id without checking the owner',
        "::warning file=src/app.ts,line=2,title=auth-enforcer(unresolved-import)::cannot resolve './auth'",
        'auth-enforcer: 2 problems (1 error, 1 warning) (1 suppressed)',
        '',
      ].join('\n'),
    );
  });

  it('escapes a file name and a message with special characters', () => {
    const f = {
      ...missingAuth,
      message: 'POST /a,b: 50%\nsecond line',
      loc: { ...missingAuth.loc, file: 'src/we,ird:name.ts' },
    };
    const out = formatGithub(makeResult('/r', { findings: [f], diagnostics: [{ level: 'info', code: 'x', message: 'note' }] }), {
      format: 'github',
      color: false,
      root: '/r',
    });
    expect(out.split('\n')[0]).toBe(
      '::error file=src/we%2Cird%3Aname.ts,line=3,col=1,endLine=3,endColumn=10,title=auth-enforcer(missing-auth)::POST /a,b: 50%25%0Asecond line',
    );
    expect(out.split('\n')[1]).toBe('::notice title=auth-enforcer(x)::note');
  });
});

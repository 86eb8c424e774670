// `tsc -p <dir>` in this process: the declaration files under node_modules (lib.d.ts, @types/node, fastify,
// Nest, better-auth) are parsed once per test worker and shared by every project it compiles, instead of once
// per tsc process. Sharing is safe where TypeScript's own language service shares: between programs whose
// settings give the same document-registry key.
import path from 'node:path';
import ts from 'typescript';

const registry = ts.createDocumentRegistry();
const shared = new Map<string, ts.SourceFile>();

/** Compiles the project like `tsc -p dir ...args` (`--noEmit`, `--outDir X`); the diagnostics tsc would print. */
export function typeCheckProject(dir: string, args: string[] = []): string {
  const overrides = ts.parseCommandLine(args).options;
  const config = ts.getParsedCommandLineOfConfigFile(path.join(dir, 'tsconfig.json'), overrides, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new Error(`no tsconfig.json in ${dir}`);
  const host = ts.createCompilerHost(config.options);
  const read = host.getSourceFile.bind(host);
  const key = registry.getKeyForCompilationSettings(config.options);
  host.getSourceFile = (fileName, version, onError, fresh) => {
    // The project's own files change between tests (scratch copies, --fix output): only packages are shared.
    if (fresh || !fileName.includes('/node_modules/')) return read(fileName, version, onError, fresh);
    const id = `${key}|${JSON.stringify(version)}|${fileName}`;
    let file = shared.get(id);
    if (!file) {
      file = read(fileName, version, onError, fresh);
      if (file) shared.set(id, file);
    }
    return file;
  };
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host, projectReferences: config.projectReferences });
  const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(program)];
  if (!config.options.noEmit) diagnostics.push(...program.emit().diagnostics);
  return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' });
}

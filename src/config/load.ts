import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../model/errors.js';
import { defaultConfig, type Config } from '../model/config.js';
import { formatIssue } from './issues.js';
import { JsonSyntaxError, parseJson } from './json.js';
import { configSchema, PUBLIC_ROUTE_RE } from './schema.js';

export const CONFIG_FILE = 'auth-enforcer.config.json';
export const PACKAGE_JSON_KEY = 'auth-enforcer';

export interface LoadConfigOptions {
  /** When given, `rules` keys outside this list are errors (a typo would otherwise silently do nothing). */
  knownRules?: readonly string[];
}

/**
 * Loads the config for a scan root: `explicitPath` if given (resolved against the process cwd; a
 * `package.json` there is read for its "auth-enforcer" key), else `<root>/auth-enforcer.config.json`,
 * else the "auth-enforcer" key of `<root>/package.json`, else defaults. Throws ConfigError with a
 * one-line message naming the file and the field.
 */
export function loadConfig(root: string, explicitPath?: string, options: LoadConfigOptions = {}): Config {
  if (explicitPath !== undefined) {
    const file = path.resolve(explicitPath);
    const text = readText(file, true);
    if (text === undefined) throw new ConfigError(`${display(file)}: config file not found`, file);
    if (path.basename(file) === 'package.json') {
      const pkg = parseFile(file, text);
      const section = isRecord(pkg) ? pkg[PACKAGE_JSON_KEY] : undefined;
      if (section === undefined) {
        throw new ConfigError(`${display(file)}: no "${PACKAGE_JSON_KEY}" key`, file, PACKAGE_JSON_KEY);
      }
      return validate(section, file, PACKAGE_JSON_KEY, options);
    }
    return validate(parseFile(file, text), file, '', options);
  }

  const configFile = path.resolve(root, CONFIG_FILE);
  const configText = readText(configFile, false);
  if (configText !== undefined) return validate(parseFile(configFile, configText), configFile, '', options);

  const pkgFile = path.resolve(root, 'package.json');
  const pkgText = readText(pkgFile, false);
  if (pkgText !== undefined) {
    const pkg = parseFile(pkgFile, pkgText);
    if (isRecord(pkg) && pkg[PACKAGE_JSON_KEY] !== undefined) {
      return validate(pkg[PACKAGE_JSON_KEY], pkgFile, PACKAGE_JSON_KEY, options);
    }
  }
  return defaultConfig();
}

function validate(data: unknown, file: string, prefix: string, options: LoadConfigOptions): Config {
  const parsed = configSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    // The first issue is enough for a one-line message; fixing it reveals the next.
    const issue = parsed.error.issues[0]!;
    const { field, text } = formatIssue(issue, prefix);
    throw new ConfigError(`${display(file)}: ${text}`, file, field || undefined);
  }
  const input = parsed.data;
  const rules = input.rules ?? {};
  if (options.knownRules) {
    const unknown = Object.keys(rules).find((id) => !options.knownRules!.includes(id));
    if (unknown !== undefined) {
      const field = `${prefix ? `${prefix}.` : ''}rules["${unknown}"]`;
      const known = options.knownRules.join(', ') || 'none';
      throw new ConfigError(`${display(file)}: ${field}: unknown rule "${unknown}" (known rules: ${known})`, file, field);
    }
  }
  const config = defaultConfig();
  return {
    ...config,
    source: file,
    guards: input.guards ?? [],
    notGuards: input.notGuards ?? [],
    publicRoutes: (input.publicRoutes ?? []).map((p) => ({ route: normalizeRoute(p.route), reason: p.reason })),
    ownerFields: input.ownerFields ?? [],
    privilegedGuards: input.privilegedGuards ?? [],
    privateModels: input.privateModels ?? [],
    principals: input.principals ?? [],
    missingAuth: input.missingAuth ?? 'evidence',
    rules,
    include: input.include ?? [],
    exclude: input.exclude ?? [],
  };
}

/** `get   /health` → `GET /health`: one spelling, so messages and matching agree. */
function normalizeRoute(route: string): string {
  const m = PUBLIC_ROUTE_RE.exec(route.trim());
  return m ? `${m[1]!.toUpperCase()} ${m[2]}` : route;
}

function parseFile(file: string, text: string): unknown {
  try {
    return parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      const where = err.line !== undefined ? ` at ${err.message}` : `: ${err.message}`;
      throw new ConfigError(`${display(file)}: invalid JSON${where}`, file);
    }
    throw err;
  }
}

/** File text, or undefined when it does not exist (and is not required to). */
function readText(file: string, explicit: boolean): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || (!explicit && code === 'ENOTDIR')) return undefined;
    const reason = code === 'EISDIR' ? 'is a directory, not a file' : `cannot read (${code ?? (err as Error).message})`;
    throw new ConfigError(`${display(file)}: ${reason}`, file);
  }
}

/** Paths in messages: relative to the cwd when below it, so they are short and clickable. */
function display(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

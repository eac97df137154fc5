/**
 * Parses the words after `%ocean <command>` into handler arguments.
 *
 * Parsing happens in the browser so that Python magics and any future
 * text front end share one parser, and command handlers always receive the
 * same shape whichever kernel called them:
 *
 *   %ocean search "cat photos" --type dataset --page-size=5 --free
 *   → { _: ['cat photos'], type: 'dataset', pageSize: '5', free: true }
 *
 * Rules: words split on blanks; '…' and "…" group words (backslash escapes
 * inside "…" and outside quotes); `--key value` and `--key=value` give
 * strings, a `--flag` followed by nothing or by another option gives true,
 * `--no-flag` gives false; `--` ends the options; option names become
 * camelCase. Values stay strings (an address or a did must not turn into a
 * number): handlers convert what they need.
 */
import { BRIDGE_ERRORS, type IBridgeError } from './protocol';

export interface IParsedArgs {
  /** Positional words, in order. */
  _: string[];
  [option: string]: string | boolean | string[];
}

export class ArgsError extends Error implements IBridgeError {
  readonly code = BRIDGE_ERRORS.badArguments;
}

/** Splits a line into words the way a shell would (quotes, backslashes). */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote === "'") {
      if (char === "'") {
        quote = null;
      } else {
        word += char;
      }
      continue;
    }
    if (quote === '"') {
      if (char === '\\' && i + 1 < line.length && '"\\'.includes(line[i + 1])) {
        word += line[++i];
      } else if (char === '"') {
        quote = null;
      } else {
        word += char;
      }
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) {
        words.push(word);
        word = '';
        inWord = false;
      }
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) {
    throw new ArgsError(
      `The command line has an unclosed ${quote} quote: close it or escape it with a backslash.`
    );
  }
  if (inWord) {
    words.push(word);
  }
  return words;
}

function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, letter: string) =>
    letter.toUpperCase()
  );
}

/** Parses the words after the command name. */
export function parseArgs(line: string): IParsedArgs {
  const words = tokenize(line);
  const args: IParsedArgs = { _: [] };
  let optionsEnded = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (optionsEnded || !word.startsWith('--') || word === '--') {
      if (word === '--' && !optionsEnded) {
        optionsEnded = true;
      } else {
        args._.push(word);
      }
      continue;
    }
    const equals = word.indexOf('=');
    const rawName = equals === -1 ? word.slice(2) : word.slice(2, equals);
    if (!/^[A-Za-z][\w-]*$/.test(rawName)) {
      throw new ArgsError(
        `"${word}" is not a valid option: options look like --name or --name=value.`
      );
    }
    if (rawName === '_') {
      throw new ArgsError('"--_" is reserved for positional words.');
    }
    if (equals !== -1) {
      args[camelCase(rawName)] = word.slice(equals + 1);
    } else if (rawName.startsWith('no-') && rawName.length > 3) {
      args[camelCase(rawName.slice(3))] = false;
    } else if (i + 1 < words.length && !words[i + 1].startsWith('--')) {
      args[camelCase(rawName)] = words[++i];
    } else {
      args[camelCase(rawName)] = true;
    }
  }
  return args;
}

/**
 * The one of `names` that `word` most likely misspells (at most two edits
 * away, or a prefix of it), for "did you mean" hints; null when none is close.
 */
export function closestName(
  word: string,
  names: ReadonlyArray<string>
): string | null {
  const wanted = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = 3;
  for (const name of names) {
    const candidate = name.toLowerCase();
    const distance =
      candidate.startsWith(wanted) && wanted.length >= 2
        ? 1
        : editDistance(wanted, candidate);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, with a swap of two neighbours counted as one. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) =>
      i === 0 ? j : j === 0 ? i : 0
    )
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(
        rows[i - 1][j] + 1,
        rows[i][j - 1] + 1,
        rows[i - 1][j - 1] + cost
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/**
 * `value` when it is one of `allowed` (or absent); otherwise an ArgsError
 * that names the choices and the likely one.
 */
export function oneOf<T extends string>(
  option: string,
  value: string | undefined,
  allowed: ReadonlyArray<T>
): T | undefined {
  if (value === undefined || (allowed as ReadonlyArray<string>).includes(value))
    return value as T | undefined;
  const near = closestName(value, allowed);
  throw new ArgsError(
    `--${option} takes ${allowed.join(' or ')}, not "${value.slice(0, 40)}"${
      near ? ` (did you mean ${near}?)` : ''
    }.`
  );
}

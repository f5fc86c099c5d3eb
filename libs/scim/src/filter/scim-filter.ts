import { invalidFilter, scimError } from '../scim-error';

/*
 * RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths: a hand-written tokenizer and recursive-descent
 * parser. No regular expression ever backtracks over the input, and length, token and nesting caps
 * bound the work, so a hostile filter costs O(length) and answers 400 invalidFilter, never a 500.
 */

export const MAX_FILTER_LENGTH = 2_000;
const MAX_TOKENS = 400;
const MAX_DEPTH = 16;

export const COMPARE_OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];
export type FilterValue = string | number | boolean | null;

/** `name.givenName` → { attr: 'name', sub: 'givenName' }; a schema URN prefix is kept in `uri`. */
export interface AttrPath {
  uri?: string;
  attr: string;
  sub?: string;
}

export type Filter =
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: FilterValue }
  | { kind: 'present'; path: AttrPath }
  /** `emails[type eq "work"]`: some value of the multi-valued `path` matches `filter` (sub-attributes relative to it). */
  | { kind: 'valuePath'; path: AttrPath; filter: Filter };

/** A PATCH target: `attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub`. */
export interface PatchPath {
  path: AttrPath;
  filter?: Filter;
  /** The sub-attribute after a value filter, as in `emails[type eq "work"].value`. */
  sub?: string;
}

type Token =
  | { type: 'word'; text: string; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'number'; value: number; at: number }
  | { type: '(' | ')' | '[' | ']'; at: number };

function isWordChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || c === '-' || c === ':' || c === '.' || c === '$';
}

function tokenize(input: string): Token[] {
  if (input.length > MAX_FILTER_LENGTH) throw invalidFilter(`The filter is longer than ${MAX_FILTER_LENGTH} characters`);
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (tokens.length >= MAX_TOKENS) throw invalidFilter(`The filter has more than ${MAX_TOKENS} tokens`);
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ type: c, at: i });
      i++;
    } else if (c === '"') {
      // A JSON string: scan to the closing quote, skipping escaped characters, then let JSON.parse decode it.
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1;
      if (j >= input.length) throw invalidFilter(`Unterminated string at position ${i + 1}`);
      let value: string;
      try {
        value = JSON.parse(input.slice(i, j + 1)) as string;
      } catch {
        throw invalidFilter(`Invalid string at position ${i + 1}`);
      }
      tokens.push({ type: 'string', value, at: i });
      i = j + 1;
    } else if (isWordChar(c)) {
      let j = i;
      while (j < input.length && isWordChar(input[j])) j++;
      const text = input.slice(i, j);
      const first = text[0];
      if ((first >= '0' && first <= '9') || (first === '-' && text.length > 1)) {
        const value = Number(text);
        if (!Number.isFinite(value) || !/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) throw invalidFilter(`Invalid number "${text}" at position ${i + 1}`);
        tokens.push({ type: 'number', value, at: i });
      } else {
        tokens.push({ type: 'word', text, at: i });
      }
      i = j;
    } else {
      throw invalidFilter(`Unexpected character "${c}" at position ${i + 1}`);
    }
  }
  return tokens;
}

const ATTR_NAME = /^[A-Za-z][A-Za-z0-9_$-]*$/;
const URN_PREFIX = 'urn:';

/** `[urn:…:]attr[.sub]`; the URN is everything up to the last colon. */
export function parseAttrPath(text: string, fail: (detail: string) => Error = invalidFilter): AttrPath {
  let uri: string | undefined;
  let rest = text;
  if (text.toLowerCase().startsWith(URN_PREFIX)) {
    const colon = text.lastIndexOf(':');
    uri = text.slice(0, colon);
    rest = text.slice(colon + 1);
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((p) => ATTR_NAME.test(p))) throw fail(`Invalid attribute path "${text}"`);
  return { ...(uri ? { uri } : {}), attr: parts[0], ...(parts[1] ? { sub: parts[1] } : {}) };
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parseFilter(): Filter {
    if (this.tokens.length === 0) throw invalidFilter('The filter is empty');
    const filter = this.or();
    const extra = this.peek();
    if (extra) throw invalidFilter(`Unexpected ${describe(extra)} at position ${extra.at + 1}`);
    return filter;
  }

  parsePatchPath(): PatchPath {
    const head = this.expectWord();
    const path = parseAttrPath(head.text, invalidPathError);
    if (!this.peekIs('[')) {
      if (this.peek()) throw invalidPathError('Unexpected text after the attribute path');
      return { path };
    }
    if (path.sub) throw invalidPathError('A value filter must follow a multi-valued attribute, not a sub-attribute');
    this.pos++;
    const filter = this.or();
    this.expect(']');
    const next = this.next();
    if (!next) return { path, filter };
    if (next.type !== 'word' || !next.text.startsWith('.') || this.peek()) throw invalidPathError('Only ".subAttribute" may follow a value filter');
    const sub = next.text.slice(1);
    if (!ATTR_NAME.test(sub)) throw invalidPathError(`Invalid sub-attribute "${sub}"`);
    return { path, filter, sub };
  }

  private or(): Filter {
    let left = this.and();
    while (this.peekWord('or')) {
      this.pos++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Filter {
    let left = this.unary();
    while (this.peekWord('and')) {
      this.pos++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Filter {
    if (++this.depth > MAX_DEPTH) throw invalidFilter(`The filter nests deeper than ${MAX_DEPTH} levels`);
    try {
      if (this.peekWord('not')) {
        this.pos++;
        if (!this.peekIs('(')) throw invalidFilter('"not" must be followed by a parenthesised filter');
        return { kind: 'not', filter: this.group() };
      }
      if (this.peekIs('(')) return this.group();
      return this.attrExpression();
    } finally {
      this.depth--;
    }
  }

  private group(): Filter {
    this.expect('(');
    const inner = this.or();
    this.expect(')');
    return inner;
  }

  private attrExpression(): Filter {
    const word = this.expectWord();
    const path = parseAttrPath(word.text);
    if (this.peekIs('[')) {
      if (path.sub) throw invalidFilter(`A value filter must follow a multi-valued attribute, not "${word.text}"`);
      this.pos++;
      const inner = this.or();
      this.expect(']');
      // `emails[type eq "work"].value eq "x"` (the PATCH path form) means `emails[type eq "work" and value eq "x"]`.
      const next = this.peek();
      if (next?.type === 'word' && next.text.startsWith('.')) {
        this.pos++;
        const sub = parseAttrPath(next.text.slice(1));
        if (sub.sub || sub.uri) throw invalidFilter(`Invalid sub-attribute "${next.text}"`);
        const condition = this.condition({ attr: sub.attr });
        return { kind: 'valuePath', path, filter: { kind: 'and', left: inner, right: condition } };
      }
      return { kind: 'valuePath', path, filter: inner };
    }
    return this.condition(path);
  }

  private condition(path: AttrPath): Filter {
    const opToken = this.expectWord();
    const op = opToken.text.toLowerCase();
    if (op === 'pr') return { kind: 'present', path };
    if (!(COMPARE_OPS as readonly string[]).includes(op)) throw invalidFilter(`Unknown operator "${opToken.text}" at position ${opToken.at + 1}`);
    const valueToken = this.next();
    if (!valueToken) throw invalidFilter(`"${op}" needs a value`);
    let value: FilterValue;
    if (valueToken.type === 'string' || valueToken.type === 'number') value = valueToken.value;
    else if (valueToken.type === 'word' && ['true', 'false', 'null'].includes(valueToken.text.toLowerCase())) {
      value = JSON.parse(valueToken.text.toLowerCase()) as boolean | null;
    } else throw invalidFilter(`Expected a value after "${op}" at position ${valueToken.at + 1} (strings are quoted)`);
    return { kind: 'compare', path, op: op as CompareOp, value };
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(): Token | undefined {
    return this.tokens[this.pos++];
  }

  private peekIs(type: Token['type']): boolean {
    return this.peek()?.type === type;
  }

  private peekWord(keyword: string): boolean {
    const token = this.peek();
    return token?.type === 'word' && token.text.toLowerCase() === keyword;
  }

  private expect(type: '(' | ')' | '[' | ']'): void {
    const token = this.next();
    if (token?.type !== type) throw invalidFilter(token ? `Expected "${type}" at position ${token.at + 1}` : `Expected "${type}" before the end`);
  }

  private expectWord(): Extract<Token, { type: 'word' }> {
    const token = this.next();
    if (token?.type !== 'word') throw invalidFilter(token ? `Expected an attribute or operator at position ${token.at + 1}` : 'The filter ends too early');
    return token;
  }
}

function describe(token: Token): string {
  return token.type === 'word' ? `"${token.text}"` : token.type === 'string' ? 'a string' : token.type === 'number' ? 'a number' : `"${token.type}"`;
}

function invalidPathError(detail: string): Error {
  return scimError(400, 'invalidPath', detail);
}

/** Parses a `filter` query parameter; any fault is a 400 invalidFilter. */
export function parseFilter(input: string): Filter {
  return new Parser(tokenize(input)).parseFilter();
}

/** Parses a PATCH operation's `path`; a malformed one is a 400 invalidPath (its value filter, invalidFilter). */
export function parsePatchPath(input: string): PatchPath {
  if (input.trim() === '') throw invalidPathError('The path is empty');
  // The tokenizer reads `.value` after `]` as one word; that is how the parser finds the sub-attribute.
  return new Parser(tokenize(input)).parsePatchPath();
}

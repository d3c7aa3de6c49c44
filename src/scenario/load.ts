// Scenario text (YAML or JSON) to a checked Scenario. Browser-safe: no Node
// imports here; reading files is in file.ts.

import { isCollection, isPair, parseDocument, visit } from "yaml";
import { ScenarioError } from "./errors.js";
import type { Scenario } from "./types.js";
import { validateScenario } from "./validate.js";

/** Largest scenario text accepted (a scenario is a page of YAML, not data). */
export const MAX_SCENARIO_TEXT = 1 << 20;

const SYNTAX_ALLOWED = "a YAML or JSON scenario";

/**
 * Most nesting accepted, as estimated by nestingEstimate(). A scenario needs
 * about 10. The limit keeps the YAML parser (recursive) far from the stack:
 * in Node 20 it overflows near 900 levels, and after such an overflow V8 can
 * abort the whole process (out of memory in the RegExp compiler) on the next
 * parse — so deep input must never reach it.
 */
export const MAX_NESTING = 128;

/**
 * nestingEstimate() without skipping comments and quoted strings: the hard
 * bound, still far below the parser's ~900. The skipping pass finds strings
 * by a simple rule (a quote after a line start, space, `[`, `{`, `,` or `:`)
 * that can misjudge odd plain scalars; this pass cannot be fooled.
 */
export const MAX_NESTING_RAW = 2 * MAX_NESTING;

/**
 * Parse YAML or JSON into a plain value. Text starting with `{` (after
 * whitespace) is tried as JSON first, for exact JSON semantics; everything
 * else, and `{` text that is not JSON (a YAML flow mapping), is YAML 1.2
 * (core schema: `yes`/`no` stay strings, duplicate keys are errors, aliases
 * are bounded).
 */
export function parseScenarioDocument(text: string, sourceName = "<text>"): unknown {
  if (typeof text !== "string") throw new ScenarioError("", text, "scenario text as a string", { source: sourceName });
  if (text.length > MAX_SCENARIO_TEXT) {
    throw new ScenarioError("", `${text.length} characters`, `${SYNTAX_ALLOWED} of at most ${MAX_SCENARIO_TEXT} characters`, { source: sourceName });
  }
  const deep = nestingEstimate(text, true);
  if (deep.depth > MAX_NESTING) {
    throw new ScenarioError("", lineAt(text, deep.line) ?? excerpt(text), `${SYNTAX_ALLOWED} nested at most ${MAX_NESTING} levels (line ${deep.line} is nested deeper)`, {
      source: sourceName,
    });
  }
  const raw = nestingEstimate(text);
  if (raw.depth > MAX_NESTING_RAW) {
    throw new ScenarioError(
      "",
      lineAt(text, raw.line) ?? excerpt(text),
      `${SYNTAX_ALLOWED} nested at most ${MAX_NESTING} levels, and at most ${MAX_NESTING_RAW} counting the brackets and indicators inside comments and quoted strings (line ${raw.line})`,
      { source: sourceName },
    );
  }
  const trimmed = text.replace(/^\uFEFF/, "").trimStart();
  if (trimmed.startsWith("{")) {
    let value: unknown;
    let parsed = false;
    try {
      value = JSON.parse(trimmed);
      parsed = true;
    } catch {
      // Not JSON: a YAML flow mapping also starts with "{"; YAML reports the error.
    }
    if (parsed) {
      // JSON.parse keeps the last of duplicate keys; YAML (uniqueKeys) refuses them, and so does JSON here
      const dup = jsonDuplicateKey(trimmed);
      if (dup) {
        const line = dup.line + (text.length - trimmed.length > 0 ? text.slice(0, text.length - trimmed.length).split(/\r?\n|\r/).length - 1 : 0);
        throw new ScenarioError("", lineAt(text, line) ?? excerpt(text), `valid JSON at line ${line}: the key ${JSON.stringify(dup.key)} appears twice in one object (keys must be unique)`, { source: sourceName });
      }
      return value;
    }
  }
  let doc;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, strict: true, logLevel: "error" });
  } catch (e) {
    // The parser itself gave up (e.g. nesting deep enough to exhaust the stack).
    throw new ScenarioError("", excerpt(text), `${SYNTAX_ALLOWED}: ${e instanceof Error ? e.message : String(e)}`, { source: sourceName });
  }
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0];
    const where = line ? ` at line ${line.line}, column ${line.col}` : "";
    const firstLine = (err.message.split("\n")[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, "");
    throw new ScenarioError("", lineAt(text, line?.line) ?? excerpt(text), `valid YAML${where}: ${firstLine}`, { source: sourceName });
  }
  // A mapping or list used as a key would be stringified by toJS; refuse it instead.
  let badKey: { range?: [number, number, number] | null } | undefined;
  visit(doc, {
    Pair(_key, pair) {
      if (isPair(pair) && isCollection(pair.key)) {
        badKey = pair.key;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (badKey) {
    const line = badKey.range ? text.slice(0, badKey.range[0]).split(/\r?\n|\r/).length : undefined;
    throw new ScenarioError("", lineAt(text, line) ?? excerpt(text), `a YAML scenario whose keys are plain names, not mappings or lists${line ? ` (line ${line})` : ""}`, {
      source: sourceName,
    });
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ScenarioError("", excerpt(text), `${SYNTAX_ALLOWED}: ${e instanceof Error ? e.message : String(e)}`, { source: sourceName });
  }
}

/** Text (YAML or JSON) to a checked, fully-defaulted Scenario; throws ScenarioError. */
export function loadScenarioText(text: string, sourceName = "<text>"): Scenario {
  return validateScenario(parseScenarioDocument(text, sourceName), sourceName);
}

/**
 * An upper bound on the nesting depth of YAML or JSON text, without parsing:
 * per line, indentation columns + block indicators (`- `, `? `, `: `) + open
 * flow brackets (counted across lines). With `skip`, comments (`#` at a line
 * start or after a space or tab) and quoted strings (a `"` or `'` after a
 * line start, space, tab, `[`, `{`, `,` or `:`; `\` escapes in double
 * quotes, `''` in single) count nothing; without it text inside them can
 * only raise the estimate, never hide structure.
 */
export function nestingEstimate(text: string, skip = false): { depth: number; line: number } {
  let flow = 0;
  let max = 0;
  let maxLine = 1;
  let line = 1;
  let lineDepth = 0;
  let atIndent = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      line++;
      lineDepth = 0;
      atIndent = true;
      continue;
    }
    const next = text.charCodeAt(i + 1);
    if (skip) {
      const prev = i === 0 ? 10 : text.charCodeAt(i - 1);
      const afterSpace = prev === 32 || prev === 9 || prev === 10 || prev === 13;
      if (c === 35 && afterSpace) {
        // a comment: to the end of the line
        while (i + 1 < text.length && text.charCodeAt(i + 1) !== 10 && text.charCodeAt(i + 1) !== 13) i++;
        continue;
      }
      if ((c === 34 || c === 39) && (afterSpace || prev === 91 || prev === 123 || prev === 44 || prev === 58)) {
        // a quoted scalar: to its closing quote (line breaks inside still count as lines)
        atIndent = false;
        for (i++; i < text.length; i++) {
          const d = text.charCodeAt(i);
          if (c === 34 && d === 92) i++;
          else if (d === c) {
            if (c === 39 && text.charCodeAt(i + 1) === 39) i++;
            else break;
          } else if (d === 10 || (d === 13 && text.charCodeAt(i + 1) !== 10)) line++;
        }
        continue;
      }
    }
    const endOrSpace = Number.isNaN(next) || next === 32 || next === 9 || next === 10 || next === 13;
    if (atIndent && (c === 32 || c === 9)) lineDepth++;
    else {
      atIndent = false;
      if (c === 91 || c === 123) flow++; // [ {
      else if ((c === 93 || c === 125) && flow > 0) flow--; // ] }
      else if ((c === 45 || c === 63 || c === 58) && endOrSpace) lineDepth++; // - ? :
    }
    if (lineDepth + flow > max) {
      max = lineDepth + flow;
      maxLine = line;
    }
  }
  return { depth: max, line: maxLine };
}

function excerpt(text: string): string {
  const t = text.trim();
  return t.length > 40 ? `${t.slice(0, 39)}…` : t;
}

function lineAt(text: string, line: number | undefined): string | undefined {
  if (line === undefined) return undefined;
  const l = text.split(/\r?\n/)[line - 1];
  return l === undefined ? undefined : l.trim();
}

/**
 * The first key that appears twice in one object of well-formed JSON text (JSON.parse accepted it), with
 * its 1-based line; keys compare decoded ("a" and "\\u0061" are the same key).
 */
export function jsonDuplicateKey(text: string): { key: string; line: number } | null {
  // one entry per open bracket: the keys seen in an object, null for an array
  const stack: (Set<string> | null)[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 123 /* { */) stack.push(new Set());
    else if (c === 91 /* [ */) stack.push(null);
    else if (c === 125 /* } */ || c === 93 /* ] */) stack.pop();
    else if (c === 34 /* " */) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 /* \\ */ ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top) {
        // a key is a string followed by ":" (strings hold no raw newlines in JSON)
        let k = j + 1;
        while (k < text.length && /\s/.test(text[k]!)) {
          if (text.charCodeAt(k) === 10) line++;
          k++;
        }
        if (text.charCodeAt(k) === 58 /* : */) {
          const key = JSON.parse(text.slice(i, j + 1)) as string;
          if (top.has(key)) return { key, line };
          top.add(key);
        }
        i = k - 1;
        continue;
      }
      i = j;
    }
  }
  return null;
}

// Every relative link in README.md, ARCHITECTURE.md and docs/*.md names a file that exists and, when it has a
// #fragment, a heading of that file by GitHub's anchor rules: the heading's text lower-cased, punctuation dropped
// except hyphens and underscores, each space a hyphen, code spans without their backticks, and a repeated anchor
// given -1, -2, ... External links (http:, https:, mailto:) are not checked. Links in fenced code blocks and code
// spans are not links. The README links every page of docs/, and every page links back to the README.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, it } from "node:test";
import { projectRoot } from "../../lib/paths.js";

/** What the checker needs of a file system, paths relative to the project root. */
interface Files {
  kind(path: string): "file" | "directory" | undefined;
  read(path: string): string;
}

const projectFiles: Files = {
  kind: (path) => {
    const full = join(projectRoot, path);
    if (!existsSync(full)) return undefined;
    return statSync(full).isDirectory() ? "directory" : "file";
  },
  read: (path) => readFileSync(join(projectRoot, path), "utf8"),
};

/** A markdown file's lines outside fenced code blocks, with their line numbers. */
function proseLines(markdown: string): Array<{ text: string; line: number }> {
  const lines: Array<{ text: string; line: number }> = [];
  let fence: string | undefined;
  markdown.split("\n").forEach((text, index) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence === undefined && marker !== undefined) fence = marker;
    else if (fence !== undefined) {
      if (
        marker !== undefined &&
        marker[0] === fence[0] &&
        marker.length >= fence.length &&
        !/\S/.test(text.trim().slice(marker.length))
      )
        fence = undefined;
    } else lines.push({ text, line: index + 1 });
  });
  return lines;
}

/** Code spans (any run of backticks, closed by a run of the same length) replaced by their content or by a stand-in. */
function withoutCodeSpans(text: string, keep: boolean): string {
  return text.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_span, _ticks, content: string) =>
    keep ? content.trim() : "code",
  );
}

/** GitHub's anchor of a heading's text (before de-duplication). */
export function slug(heading: string): string {
  const text = withoutCodeSpans(heading, true)
    .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]*>/g, "");
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor of a markdown file's headings, duplicates numbered as GitHub numbers them. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$/.exec(text);
    if (!heading) continue;
    const base = slug(heading[1] ?? "");
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** Every link target of a markdown file: inline links and images, reference definitions, href and src attributes. */
export function linksOf(markdown: string): Array<{ target: string; line: number }> {
  const links: Array<{ target: string; line: number }> = [];
  for (const { text, line } of proseLines(markdown)) {
    const prose = withoutCodeSpans(text, false);
    const patterns = [
      /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g,
      /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/g,
      /\b(?:href|src)="([^"]*)"/g,
    ];
    for (const pattern of patterns)
      for (const match of prose.matchAll(pattern)) links.push({ target: match[1]!, line });
  }
  return links;
}

/** The links of `file` that do not resolve, each as `file:line: target (why)`. */
export function brokenLinks(file: string, files: Files): string[] {
  const broken: string[] = [];
  for (const { target, line } of linksOf(files.read(file))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const at = target.indexOf("#");
    const path = decodeURIComponent(at < 0 ? target : target.slice(0, at));
    const fragment = at < 0 ? undefined : decodeURIComponent(target.slice(at + 1));
    const resolved = path === "" ? file : normalize(join(dirname(file), path)).replace(/\/$/, "");
    const why = (() => {
      if (resolved.startsWith("..")) return "outside the project";
      const kind = files.kind(resolved);
      if (kind === undefined) return `no file ${resolved}`;
      if (fragment === undefined) return undefined;
      if (kind === "directory") return `${resolved} is a folder: it has no headings`;
      if (!resolved.endsWith(".md")) return /^L\d+(-L\d+)?$/.test(fragment) ? undefined : `${resolved} has no headings`;
      return anchorsOf(files.read(resolved)).has(fragment) ? undefined : `${resolved} has no heading #${fragment}`;
    })();
    if (why) broken.push(`${file}:${line}: ${target} (${why})`);
  }
  return broken;
}

const docsPages = readdirSync(join(projectRoot, "docs"))
  .filter((name) => name.endsWith(".md"))
  .sort()
  .map((name) => `docs/${name}`);
const checked = ["README.md", "ARCHITECTURE.md", ...docsPages];

describe("links in the docs", () => {
  for (const file of checked) {
    it(`${file}: every relative link names a file that exists, and a heading of it`, () => {
      const broken = brokenLinks(file, projectFiles);
      assert.deepEqual(broken, [], `broken links:\n${broken.join("\n")}`);
    });
  }

  it("the README links every page of docs/, and every page links back to the README near its top", () => {
    const fromReadme = new Set(linksOf(projectFiles.read("README.md")).map(({ target }) => target.replace(/#.*/, "")));
    assert.deepEqual(
      docsPages.filter((page) => !fromReadme.has(page)),
      [],
      "pages of docs/ that the README does not link",
    );
    for (const page of docsPages) {
      const top = linksOf(projectFiles.read(page)).filter(({ line }) => line <= 5);
      assert.ok(
        top.some(({ target }) => target === "../README.md"),
        `${page} does not link back to ../README.md in its first lines`,
      );
    }
  });

  it("finds the links there are (a parser that finds none would pass everything)", () => {
    const count = checked.reduce((n, file) => n + linksOf(projectFiles.read(file)).length, 0);
    assert.ok(count >= 50, `only ${count} links found in ${checked.join(", ")}`);
  });
});

describe("the link checker", () => {
  /** An in-memory project: path -> text; a path ending in / is a folder. */
  const memory = (tree: Record<string, string>): Files => ({
    kind: (path) => (path in tree ? "file" : `${path}/` in tree ? "directory" : undefined),
    read: (path) => tree[path] ?? assert.fail(`no file ${path}`),
  });

  it("makes GitHub's anchors", () => {
    assert.equal(slug("Kafka Connect and a schema registry"), "kafka-connect-and-a-schema-registry");
    assert.equal(slug("What a lab holds: `npm run lab:status`"), "what-a-lab-holds-npm-run-labstatus");
    assert.equal(slug("Schema registry, confluent flavour"), "schema-registry-confluent-flavour");
    assert.equal(slug("State, stack files & secrets?"), "state-stack-files--secrets");
    assert.equal(slug("`pulumi up` now"), "pulumi-up-now");
    assert.equal(slug("snake_case and kebab-case, 1.2 [linked](x.md)"), "snake_case-and-kebab-case-12-linked");
    assert.deepEqual(
      [...anchorsOf("# Tests\n## Setup\n```\n## Not a heading\n```\n## Setup\n## Setup ##\n")],
      ["tests", "setup", "setup-1", "setup-2"],
    );
  });

  it("passes links to files, folders, headings and line numbers that exist, and leaves external ones alone", () => {
    const files = memory({
      "README.md": "# kafka-lab\n## Quick start\nSee [docs](docs/a.md#b-c), [here](#quick-start), [lib](lib/).\n",
      "docs/a.md":
        "# A\n## B, c\n[back](../README.md#kafka-lab) [code](../lib/x.ts#L3) [web](https://example.org/#x)\n",
      "lib/": "",
      "lib/x.ts": "",
    });
    assert.deepEqual(brokenLinks("README.md", files), []);
    assert.deepEqual(brokenLinks("docs/a.md", files), []);
  });

  it("names every link that does not resolve", () => {
    const files = memory({
      "README.md": [
        "# Top",
        "[gone](docs/gone.md) [heading](docs/a.md#missing) [self](#nowhere)",
        "![image](img/none.png) [folder](lib/#x) [up](../outside.md)",
        "[ref]: docs/none.md",
      ].join("\n"),
      "docs/a.md": "# A\n",
      "lib/": "",
    });
    assert.deepEqual(brokenLinks("README.md", files), [
      "README.md:2: docs/gone.md (no file docs/gone.md)",
      "README.md:2: docs/a.md#missing (docs/a.md has no heading #missing)",
      "README.md:2: #nowhere (README.md has no heading #nowhere)",
      "README.md:3: img/none.png (no file img/none.png)",
      "README.md:3: lib/#x (lib is a folder: it has no headings)",
      "README.md:3: ../outside.md (outside the project)",
      "README.md:4: docs/none.md (no file docs/none.md)",
    ]);
  });

  it("does not take text in code blocks or code spans for links", () => {
    const files = memory({
      "README.md": "# T\n```md\n[a](missing.md)\n```\n`[b](missing.md)` and `` `[c](missing.md)` ``\n",
    });
    assert.deepEqual(brokenLinks("README.md", files), []);
  });
});

/**
 * Every relative link in the repository's Markdown files leads somewhere: the file or folder
 * exists (resolved from the Markdown file that links it), and an anchor into a Markdown file
 * names one of its headings, slugged as GitHub slugs them. Web links (http, https, mailto)
 * are not followed. Links inside code (fenced blocks, `inline code`) are text, not links.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Folders that hold no documentation of ours: dependencies, build output, scratch space. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', '.git', '.tmp', '.scratch', '.rpc-chaos-cache']);

interface Link {
  file: string;
  line: number;
  target: string;
}

/** Every *.md file of the repository; of reports/ (run output) only its README.md. */
function markdownFiles(folder = REPO): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (SKIPPED_FOLDERS.has(entry.name)) continue;
      if (relative(REPO, path) === 'reports') {
        if (existsSync(join(path, 'README.md'))) files.push(join(path, 'README.md'));
        continue;
      }
      files.push(...markdownFiles(path));
    } else if (entry.name.endsWith('.md')) {
      files.push(path);
    }
  }
  return files.sort();
}

/** The lines of a Markdown text with fenced code blocks blanked and inline code spans removed. */
function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return '';
    }
    if (marker !== undefined) {
      fence = marker;
      return '';
    }
    return line.replace(/(`+)[^`]*?\1/g, '');
  });
}

/** Inline links and images `[text](target "title")`, reference definitions `[label]: target`, HTML href/src. */
function linksIn(text: string, file = ''): Link[] {
  const links: Link[] = [];
  proseLines(text).forEach((content, index) => {
    const line = index + 1;
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(content);
    if (definition) links.push({ file, line, target: definition[1]! });
    for (const match of content.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+["'(][^)]*)?\)/g)) {
      links.push({ file, line, target: match[1]!.replace(/^<|>$/g, '') });
    }
    for (const match of content.matchAll(/<(?:a|img)\s[^>]*?(?:href|src)="([^"]+)"/gi))
      links.push({ file, line, target: match[1]! });
  });
  return links;
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped (but - and _), spaces to dashes. */
function githubSlug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown text's headings; a repeated heading gets -1, -2, ... as on GitHub. */
function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLinesKeepingCode(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Lines outside fenced code blocks, inline code kept (a heading's `code` is part of its text). */
function proseLinesKeepingCode(text: string): string[] {
  const blanked = proseLines(text);
  return text.split('\n').map((line, index) => (blanked[index] === '' ? '' : line));
}

const WEB_LINK = /^(?:https?:|mailto:)/i;

/** What is wrong with one link, or undefined when it resolves. */
function problemWith(link: Link): string | undefined {
  if (WEB_LINK.test(link.target) || link.target === '#') return undefined;
  const [rawPath, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const path = decodeURIComponent(rawPath);
  const file = path === '' ? link.file : path.startsWith('/') ? join(REPO, path) : resolve(dirname(link.file), path);
  if (!existsSync(file)) return `no such file: ${relative(REPO, file)}`;
  if (anchor === undefined || anchor === '' || !file.endsWith('.md') || statSync(file).isDirectory()) return undefined;
  if (headingAnchors(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor).toLowerCase())) return undefined;
  return `no heading #${anchor} in ${relative(REPO, file)}`;
}

describe('links in the Markdown files', { timeout: 30_000 }, () => {
  it('reads inline links, images, reference definitions and HTML, and skips code', () => {
    const text = [
      'See [the gates](harness/gate/README.md#phase-gates) and ![a report](shot.png "title").',
      '[notes]: ../NOTEBOOK.md',
      '`[not a link](nowhere.md)` <img src="pic.png">',
      '```',
      '[also not a link](nowhere.md)',
      '```',
    ].join('\n');
    expect(linksIn(text).map(({ line, target }) => `${line} ${target}`)).toEqual([
      '1 harness/gate/README.md#phase-gates',
      '1 shot.png',
      '2 ../NOTEBOOK.md',
      '3 pic.png',
    ]);
  });

  it('slugs headings as GitHub does', () => {
    expect(githubSlug('Phase gates: during a fault and after it')).toBe('phase-gates-during-a-fault-and-after-it');
    expect(githubSlug('`harness/gate`: thresholds & baselines')).toBe('harnessgate-thresholds--baselines');
    expect(githubSlug('Clusters (three private nodes, quorum queues)')).toBe(
      'clusters-three-private-nodes-quorum-queues',
    );
    expect([...headingAnchors('# Runs\n## Runs\n```\n# not a heading\n```\n## Runs')]).toEqual([
      'runs',
      'runs-1',
      'runs-2',
    ]);
  });

  it('every relative link and anchor resolves', () => {
    const files = markdownFiles();
    expect(files.map((file) => relative(REPO, file))).toContain('README.md');
    const links = files.flatMap((file) => linksIn(readFileSync(file, 'utf8'), file));
    expect(links.filter((link) => !WEB_LINK.test(link.target)).length).toBeGreaterThan(10);
    const broken = links.flatMap((link) => {
      const problem = problemWith(link);
      return problem === undefined ? [] : [`${relative(REPO, link.file)}:${link.line}: (${link.target}) ${problem}`];
    });
    if (broken.length > 0) expect.fail(`${broken.length} broken link(s) in the Markdown files:\n${broken.join('\n')}`);
  });
});

/**
 * Every relative link in the docs and READMEs points at a file that exists and, when it names an
 * anchor, at a heading (or `<a id>`) that exists: renaming a section cannot silently strand links.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function markdownFiles(): string[] {
  // Every top-level page (README, CHANGELOG, CONTRIBUTING, …), every page of docs/, and the workspaces' READMEs.
  const files = [
    ...readdirSync(root).filter((f) => f.endsWith('.md')),
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  for (const dir of ['bench', 'test']) if (existsSync(join(root, dir, 'README.md'))) files.push(`${dir}/README.md`);
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(join(root, group))) {
      if (existsSync(join(root, group, name, 'README.md'))) files.push(`${group}/${name}/README.md`);
    }
  }
  return files;
}

/** GitHub's heading slug: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('```')) inFence = !inFence;
    if (inFence) continue;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading?.[1] !== undefined) {
      const base = slug(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const match of line.matchAll(/<a id="([^"]+)"/g)) if (match[1]) anchors.add(match[1]);
  }
  return anchors;
}

/**
 * Links outside code fences and inline code: `[text](target)`, `[text](target "title")`,
 * `[text](<target>)`, images, and reference definitions (`[name]: target`).
 */
function linksOf(text: string): string[] {
  const links: string[] = [];
  let inFence = false;
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('```')) inFence = !inFence;
    if (inFence) continue;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1] ?? match[2];
      if (target) links.push(target);
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?([^>\s]+)>?/.exec(prose);
    if (definition?.[1]) links.push(definition[1]);
  }
  return links;
}

describe('links in the docs', () => {
  it.each(markdownFiles())('%s links only to files and anchors that exist', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    const broken: string[] = [];
    for (const link of linksOf(text)) {
      if (/^[a-z]+:/i.test(link)) continue;
      const [path, anchor] = decodeURI(link).split('#') as [string, string | undefined];
      const target = path === '' ? join(root, file) : resolve(dirname(join(root, file)), path);
      if (!existsSync(target)) {
        broken.push(`${link} (no ${relative(root, target)})`);
        continue;
      }
      if (anchor && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(anchor))
        broken.push(`${link} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });
});

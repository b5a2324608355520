// /usr/share/doc/ifdepd/copyright in the machine-readable format (DEP-5): ifdepd's
// ISC license, then one paragraph per bundled node module with the license its
// package.json declares and the copyright lines of its own license file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from './util.mjs';

const HERE = new URL('.', import.meta.url).pathname;
const FORMAT = 'https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/';

/** Every package directory under node_modules (nested ones and scopes included). */
export function bundledModules(modules, prefix = '') {
  if (!existsSync(modules)) return [];
  return readdirSync(modules, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== '.bin')
    .flatMap((e) => {
      const dir = join(modules, e.name);
      if (e.name.startsWith('@')) return bundledModules(dir, `${prefix}${e.name}/`);
      if (!existsSync(join(dir, 'package.json'))) return [];
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return [{ dir, rel: `${prefix}${e.name}`, pkg }, ...bundledModules(join(dir, 'node_modules'), `${prefix}${e.name}/node_modules/`)];
    })
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** The SPDX name a package.json declares (old style `{type}` objects too). */
function licenseOf(pkg) {
  const l = pkg.license ?? pkg.licenses?.[0];
  return typeof l === 'string' ? l : l?.type;
}

/** A module's name, version, license and copyright lines, read from its directory. */
export function moduleInfo(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return { name: pkg.name, version: pkg.version, license: licenseOf(pkg), copyright: copyrightOf({ dir, pkg }) };
}

/** "Copyright ..." lines of a module's own license file; else its author; else its name. */
function copyrightOf({ dir, pkg }) {
  const file = readdirSync(dir).find((n) => /^(licen[cs]e|copying)/i.test(n));
  const lines = file
    ? readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^copyright\s+(\(c\)|©|\d)/i.test(l))
        .map((l) => l.replace(/^copyright\s*(\(c\)|©)?\s*/i, ''))
    : [];
  if (lines.length > 0) return [...new Set(lines)];
  const author = typeof pkg.author === 'string' ? pkg.author : pkg.author?.name;
  return [author ? `${author} (the author named in its package.json)` : `the ${pkg.name} authors`];
}

/** A license text from packaging/deb/licenses/, indented as a DEP-5 paragraph body. */
function licenseText(name) {
  const path = join(HERE, 'licenses', name);
  if (!existsSync(path)) fail(`bundled code is under ${name}, which packaging/deb/licenses/ has no text for: add it there`);
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => (l.trim() === '' ? ' .' : ` ${l}`))
    .join('\n');
}

function field(name, values) {
  return `${name}: ${values[0]}${values.slice(1).map((v) => `\n ${v}`).join('')}`;
}

/**
 * The copyright file for a package whose code lives in `libDir`
 * (/usr/lib/ifdepd as a path without the leading slash).
 */
export function copyrightFile({ projectName, projectCopyright, projectLicense, modulesDir, libDir, addon }) {
  const modules = bundledModules(modulesDir);
  const used = new Set([projectLicense]);
  const paragraphs = [
    [
      `Format: ${FORMAT}`,
      `Upstream-Name: ${projectName}`,
      field('Comment', [
        'A binary package: the Files patterns name installed paths.',
        `${libDir}/node_modules holds the production dependencies from npm,`,
        'unchanged but for netlink, whose native addon is rebuilt from its sources',
        "with ifdepd's patch (the binary under netlink/build/Release).",
      ]),
    ].join('\n'),
    [field('Files', ['*']), field('Copyright', [projectCopyright]), `License: ${projectLicense}`].join('\n'),
  ];
  for (const m of modules) {
    const license = licenseOf(m.pkg);
    if (!license) fail(`${m.rel}: its package.json names no license`);
    used.add(license);
    paragraphs.push(
      [
        field('Files', [`${libDir}/node_modules/${m.rel}/*`]),
        field('Copyright', copyrightOf(m)),
        `License: ${license}`,
        `Comment: npm package ${m.pkg.name} ${m.pkg.version}`,
      ].join('\n'),
    );
  }
  // The addon binary also holds code compiled in from build-time headers
  // (node-addon-api) and ifdepd's patch: its own paragraph, the last match wins.
  const netlink = modules.find((m) => m.rel === 'netlink');
  if (addon && netlink) {
    const licenses = [...new Set([licenseOf(netlink.pkg), ...addon.embedded.map((e) => e.license), projectLicense])];
    for (const l of licenses) used.add(l);
    paragraphs.push(
      [
        field('Files', [addon.path]),
        field('Copyright', [...copyrightOf(netlink), ...addon.embedded.flatMap((e) => e.copyright), projectCopyright]),
        `License: ${licenses.join(' and ')}`,
        field('Comment', [
          `netlink's addon, built with ifdepd's patch (patches/, ${projectLicense}) and the`,
          ...addon.embedded.map((e) => `headers of ${e.name} ${e.version} (${e.license}), compiled in.`),
        ]),
      ].join('\n'),
    );
  }
  for (const name of [...used].sort()) paragraphs.push(`License: ${name}\n${licenseText(name)}`);
  return { text: `${paragraphs.join('\n\n')}\n`, modules: modules.map((m) => ({ name: m.pkg.name, version: m.pkg.version, license: licenseOf(m.pkg) })) };
}

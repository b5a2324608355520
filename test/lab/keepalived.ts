// contrib/keepalived's example files, read and checked, for the keepalived end-to-end
// tests: each node's keepalived.conf (what the HA lab needs from it, and the file
// changed only where the lab must) and its IFDEPD_ARGS or ifdepd.conf. Two recipes:
// contrib/keepalived/<node> (demotion through a track file, the one for pairs) and
// contrib/keepalived/vmac-down/<node> (ifdepd forces the VMAC down, keepalived goes FAULT).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRIB } from './paths.js';

export type Node = 'fw1' | 'fw2';
/** Which recipe: '' is contrib/keepalived itself (demotion), 'vmac-down' its variant. */
export type Recipe = '' | 'vmac-down';
export const NODES: readonly Node[] = ['fw1', 'fw2'];

/** One node's keepalived.conf from contrib/keepalived, with what the lab needs from it. */
export interface KeepalivedExample {
  readonly text: string;
  readonly iface: string;
  readonly vmac: string;
  /** "192.0.2.1/24" */
  readonly vip: string;
  readonly priority: number;
  readonly advertInt: number;
  /** The track_file declaration's file and weight, when the recipe has one. */
  readonly track?: { readonly path: string; readonly weight: number };
}

function one(text: string, re: RegExp, what: string, file: string): string {
  const all = [...text.matchAll(new RegExp(re.source, 'gm'))];
  if (all.length !== 1) throw new Error(`${file}: expected exactly one ${what}, found ${all.length}`);
  return all[0]![1]!;
}

export function readKeepalivedExample(node: Node, recipe: Recipe = ''): KeepalivedExample {
  const file = join(CONTRIB, 'keepalived', recipe, node, 'keepalived.conf');
  const text = readFileSync(file, 'utf8');
  const vips = /virtual_ipaddress\s*\{([^}]*)\}/.exec(text);
  const vip = vips?.[1]?.split('\n').map((l) => l.replace(/#.*/, '').trim()).find((l) => l !== '');
  if (vip === undefined) throw new Error(`${file}: no virtual_ipaddress`);
  return {
    text,
    iface: one(text, /^\s*interface\s+(\S+)/, 'interface', file),
    vmac: one(text, /^\s*use_vmac\s+(\S+)/, 'use_vmac NAME', file),
    vip: vip.split(/\s+/)[0]!,
    priority: Number(one(text, /^\s*priority\s+(\d+)/, 'priority', file)),
    advertInt: Number(one(text, /^\s*advert_int\s+(\S+)/, 'advert_int', file)),
    ...(/^\s*track_file\s+\S+\s*\{/m.test(text)
      ? {
          track: {
            path: one(text, /^\s*file\s+"([^"]+)"/, 'track_file file', file),
            weight: Number(one(text, /^\s*weight\s+(-?\d+)/, 'track_file weight', file)),
          },
        }
      : {}),
  };
}

/**
 * The example, changed only where the lab needs it: advert_int (speed), with
 * `xmitBase: false` the vmac_xmit_base line removed, `trackFile` the track file's path
 * (into the lab), `trackWeight` its weight. Each edit must hit exactly once.
 */
export function renderKeepalived(
  ex: KeepalivedExample,
  opts: { advertInt: number; xmitBase: boolean; trackFile?: string; trackWeight?: number },
): string {
  let text = ex.text;
  const edit = (re: RegExp, to: string, what: string) => {
    const hits = text.match(new RegExp(re.source, 'gm'))?.length ?? 0;
    if (hits !== 1) throw new Error(`keepalived.conf template: expected one ${what}, found ${hits}`);
    text = text.replace(new RegExp(re.source, 'm'), to);
  };
  edit(/^(\s*advert_int\s+)\S+/, `$1${opts.advertInt}`, 'advert_int');
  if (!opts.xmitBase) edit(/^\s*vmac_xmit_base\s*$\n/, '', 'vmac_xmit_base line');
  if (opts.trackFile !== undefined) edit(/^(\s*file\s+)"[^"]+"/, `$1"${opts.trackFile}"`, 'track_file file');
  if (opts.trackWeight !== undefined) edit(/^(\s*weight\s+)-?\d+/, `$1${opts.trackWeight}`, 'track_file weight');
  return text;
}

/** IFDEPD_ARGS from contrib/keepalived/[recipe/]<node>/ifdepd, split like systemd splits $IFDEPD_ARGS. */
export function readIfdepdExample(node: Node, recipe: Recipe = 'vmac-down'): string[] {
  const file = join(CONTRIB, 'keepalived', recipe, node, 'ifdepd');
  const m = /^IFDEPD_ARGS="([^"]*)"\s*$/m.exec(readFileSync(file, 'utf8'));
  if (m === null) throw new Error(`${file}: no IFDEPD_ARGS="..." line`);
  return m[1]!.split(/\s+/).filter(Boolean);
}

/** The value that follows `option` in args (e.g. -S), or undefined. */
export function optionValue(args: readonly string[], option: string): string | undefined {
  const i = args.indexOf(option);
  return i >= 0 ? args[i + 1] : undefined;
}

/** args with `option value` replaced (or appended): ifdepd refuses an option given twice. */
export function withOption(args: readonly string[], option: string, value?: string): string[] {
  const out = [...args];
  const i = out.indexOf(option);
  const tail = value === undefined ? [option] : [option, value];
  if (i >= 0) out.splice(i, value === undefined ? 1 : 2, ...tail);
  else out.push(...tail);
  return out;
}

/** contrib/keepalived/<node>/ifdepd.conf (the demotion recipe's), as text. */
export function readIfdepdConf(node: Node): string {
  return readFileSync(join(CONTRIB, 'keepalived', node, 'ifdepd.conf'), 'utf8');
}

import { untrustedProgram } from '../base/trusted-path.js';
import { ConfigSyntaxError } from './lexer.js';
import type { ParsedConfig } from './parser.js';

/**
 * Hooks run as root: each must be a program only root can change, in directories only root
 * can change (sshd's StrictModes, cron). A missing, non-executable or writable hook is a
 * configuration error on the hook's own line, found at --check-config, at start and at a
 * reload, not at the first transition.
 */
export function checkHookFiles(config: ParsedConfig): void {
  for (const g of config.groups) {
    g.hooks.forEach((hook, i) => {
      const problem = untrustedProgram(hook.path);
      if (problem !== undefined) throw new ConfigSyntaxError(g.hookLines[i] ?? g.line, `group ${g.name}: hook refused: ${problem}`);
    });
  }
}

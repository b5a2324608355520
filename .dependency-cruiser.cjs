/**
 * The architecture of src/, checked by `npm test` (npm run lint:deps). Layers, lowest first;
 * an import may go down, or stay within its own folder, never up or sideways:
 *
 *   base     exit codes, error text, version, capabilities: what every layer may use
 *   core     the decisions: pure, no node: import, no timer, no I/O (time comes in)
 *   logging  the Logger and its sinks (stderr/journal, syslog)
 *   kernel   rtnetlink: events, requests, message parsing      } adapters: each uses
 *   act      actuators: enforcer, actions, track files, hooks   } base, core and logging,
 *   config   the configuration file                             } never one another
 *   control  the control socket: protocol, server, client       }
 *   systemd  the service manager: sd_notify readiness, watchdog  }
 *   daemon   the composition root: wires kernel -> core -> act, signals
 *   cli      the command line: entry, options, client commands, start-up
 *   demo     `ifdepd demo`, loaded only by a dynamic import
 */
const ADAPTERS = ['kernel', 'act', 'config', 'control', 'systemd'];

const adapterRules = ADAPTERS.map((name) => ({
  name: `${name}-is-an-adapter`,
  comment: `src/${name} may use base, core, logging and itself; it never reaches into another adapter, the daemon or the command line`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [`^src/${name}/`, '^src/(base|core|logging)/'] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle anywhere in src/ hides which part depends on which.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      comment:
        'The core decides from the link table and the clock it is given: it imports only the core, and picomatch (a pure glob matcher, no I/O).',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { pathNot: ['^src/core/', '^node_modules/picomatch/'] },
    },
    {
      name: 'core-has-no-node-builtins',
      comment: 'No node: module in the core: no file, socket, process or timer.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'base-is-the-bottom',
      comment: 'base/ is used by every layer, so it uses none of ours.',
      severity: 'error',
      from: { path: '^src/base/' },
      to: { path: '^src/', pathNot: '^src/base/' },
    },
    {
      name: 'logging-below-adapters',
      comment: 'The logger knows the core\'s severities and nothing else of ours.',
      severity: 'error',
      from: { path: '^src/logging/' },
      to: { path: '^src/', pathNot: '^src/(base|core|logging)/' },
    },
    ...adapterRules,
    {
      name: 'daemon-below-cli',
      comment: 'The composition root is started by the command line, never the other way round.',
      severity: 'error',
      from: { path: '^src/daemon/' },
      to: { path: '^src/(cli|demo)/|^src/cli\\.ts$' },
    },
    {
      name: 'demo-only-on-demand',
      comment: 'The namespace demo runs ip(8) and builds namespaces: only `ifdepd demo` loads it, with a dynamic import.',
      severity: 'error',
      from: { pathNot: '^src/demo/' },
      to: { path: '^src/demo/', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'demo-uses-only-base-and-core',
      comment: 'The demo drives the built CLI like an operator: it shares no daemon internals.',
      severity: 'error',
      from: { path: '^src/demo/' },
      to: { path: '^src/', pathNot: '^src/(base|core|demo)/' },
    },
    {
      name: 'no-orphans',
      comment: 'A file nothing imports is dead code (the entry point excepted).',
      severity: 'error',
      from: { orphan: true, path: '^src/', pathNot: '^src/cli\\.ts$' },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};

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
 *   metrics  Prometheus: the exporter, /metrics, the textfile    }
 *   probe    ping sources: one supervised ping child per probe     }
 *   daemon   the composition root: wires kernel -> core -> act, signals
 *   cli      the command line: entry, options, client commands, start-up
 *   demo     `ifdepd demo`, loaded only by a dynamic import
 */

/** What each folder may import besides itself; anything else in src/ is refused. */
const MAY_USE = {
  base: [],
  logging: ['base', 'core'],
  kernel: ['base', 'core', 'logging'],
  act: ['base', 'core', 'logging'],
  config: ['base', 'core', 'logging'],
  control: ['base', 'core', 'logging'],
  systemd: ['base', 'core', 'logging'],
  metrics: ['base', 'core', 'logging'],
  probe: ['base', 'core', 'logging'],
  demo: ['base', 'core'],
};

const layerRules = Object.entries(MAY_USE).map(([name, allowed]) => ({
  name: `${name}-uses-only-${allowed.length === 0 ? 'itself' : allowed.join('-')}`,
  comment: `src/${name} may import ${[...allowed, 'itself'].join(', ')}: never an adapter beside it, nor a layer above it`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: `^src/(${[name, ...allowed].join('|')})/` },
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
        'The core decides from the link table and the clock it is given: it imports only the core, picomatch (a pure glob matcher) and ipaddr.js (a pure address parser): no I/O.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { pathNot: ['^src/core/', '^node_modules/picomatch/', '^node_modules/ipaddr\\.js/'] },
    },
    {
      name: 'core-has-no-node-builtins',
      comment: 'No node: module in the core: no file, socket, process or timer.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'] },
    },
    ...layerRules,
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

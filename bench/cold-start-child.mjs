/**
 * One cold start, in a fresh Node process that bench/cold-start.ts starts for each sample:
 * `node cold-start-child.mjs <bundle file URL> [probe]`. It imports the bundle and writes one line
 * of JSON on stdout: how long the import took (the function's init, as Lambda would run it before
 * the first invocation) and the memory right after it.
 *
 * Plain JavaScript on the bare Node binary, with no import of its own in the timed run: nothing but
 * the bundle's import is on the clock, and no tsx loader is in the process.
 *
 * With `probe` (one extra run per bundle, off the clock: the hooks slow every promise), it also
 * records what the import started: async resources other than promises (sockets, DNS lookups,
 * timers, async file reads), each with the first frames outside Node that created it, synchronous
 * file-system calls, DNS lookups and socket connects, and what is left keeping the event loop alive
 * after the import.
 */
const [url, mode] = process.argv.slice(2);
const probe = mode === 'probe' ? await startProbe() : undefined;

const bootMs = performance.now();
let error;
let handlerType = 'undefined';
const start = performance.now();
try {
  const module = await import(url);
  handlerType = typeof module.handler;
} catch (err) {
  error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
const initMs = performance.now() - start;
const { rss, heapUsed } = process.memoryUsage();
const report = { initMs, rss, heapUsed, bootMs, handlerType, error, probe: probe?.stop() };
process.stdout.write(`${JSON.stringify(report)}\n`);
// A module that left a socket or a timer behind would keep the process alive; Lambda would freeze it.
process.exit(0);

async function startProbe() {
  const { createHook } = await import('node:async_hooks');
  const { syncBuiltinESMExports } = await import('node:module');
  const fs = (await import('node:fs')).default;
  const dns = (await import('node:dns')).default;
  const net = (await import('node:net')).default;
  const bundleDir = new URL('.', url).pathname;

  // deep enough to get past the module loader's frames to the code that started the resource
  Error.stackTraceLimit = 60;
  let recording = true;
  /** By type and the first frame outside Node that created it: how many, and the first frames of the first. */
  const created = {};
  const syncFs = [];
  const lookups = [];
  const connects = [];
  const hook = createHook({
    init(_id, type) {
      if (!recording || type === 'PROMISE') return;
      const frames = new Error().stack
        .split('\n')
        .slice(2)
        .map((l) => l.trim())
        .filter((l) => !/\bnode:/.test(l) && !l.includes('(<anonymous>)') && !l.includes('cold-start-child.mjs'))
        .slice(0, 4);
      const key = `${type} ${frames[0] ?? ''}`;
      created[key] ??= { type, frames, count: 0 };
      created[key].count++;
    },
  });
  const wrap = (owner, name, record) => {
    const original = owner[name];
    owner[name] = function (...args) {
      if (recording) record(args);
      return original.apply(this, args);
    };
  };
  for (const name of ['readFileSync', 'openSync', 'statSync', 'lstatSync', 'existsSync', 'readdirSync', 'accessSync', 'realpathSync']) {
    wrap(fs, name, ([path]) => {
      const text = String(path);
      // the loader reading the bundle and (--enable-source-maps) its map is the import itself
      if (!text.startsWith(bundleDir) && !text.startsWith(`file://${bundleDir}`)) syncFs.push(`${name} ${text}`);
    });
  }
  wrap(dns, 'lookup', ([hostname]) => lookups.push(String(hostname)));
  wrap(net.Socket.prototype, 'connect', (args) => {
    // net.connect passes its arguments on normalised, as one array
    const [options, host] = Array.isArray(args[0]) ? args[0] : args;
    connects.push(
      typeof options === 'object' && options ? (options.path ?? `${options.host ?? 'localhost'}:${options.port}`) : `${host ?? 'localhost'}:${options}`,
    );
  });
  syncBuiltinESMExports();
  hook.enable();
  return {
    stop() {
      recording = false;
      hook.disable();
      return { created: Object.values(created), syncFs, lookups, connects, activeAfter: process.getActiveResourcesInfo() };
    },
  };
}

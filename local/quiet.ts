/**
 * Imported first by the local commands: they refuse to run on another Node major than the one
 * Lambda runs (package.json brings it; a command run outside npm may find an older one first), and
 * Powertools logs warnings only and writes no metrics to the console.
 */
const NODE_MAJOR = 24; // lib/runtime.ts; not imported here, so that this check runs before any other module loads
const major = Number(process.versions.node.split('.')[0]);
if (major !== NODE_MAJOR) {
  console.error(
    `ChangeFlow runs on Node.js ${NODE_MAJOR}, the runtime it deploys on Lambda; this is Node.js ${process.versions.node}. ` +
      `Run it through npm (npm start, npm test, npm run …): npm install brings Node.js ${NODE_MAJOR} into node_modules on Linux. ` +
      `Elsewhere, install Node.js ${NODE_MAJOR} (https://nodejs.org).`,
  );
  process.exit(1);
}
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

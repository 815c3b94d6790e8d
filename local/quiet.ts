/**
 * Imported first by the local commands: Powertools logs warnings only and writes no metrics to the
 * console, and the SDK's notice about its future Node 22 requirement is silenced (the lockfile pins
 * a version that runs on Node 20).
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

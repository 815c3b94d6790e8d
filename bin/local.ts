/**
 * `npm start`: the whole of ChangeFlow on this machine. DynamoDB Local (data kept in .changeflow/),
 * the table, the seeded directory, and the API at http://localhost:3000 (PORT to change).
 * Ctrl-C stops everything, DynamoDB Local included.
 */
import '../local/quiet.js';

const { ConfigError } = await import('../functions/config.js');
const { JavaMissingError } = await import('../local/dynamodb-local.js');
const { startLocalSystem } = await import('../local/runtime.js');

const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.CHANGEFLOW_DATA_DIR ?? '.changeflow';

try {
  const system = await startLocalSystem({
    port,
    dataDir,
    mail: { smtpPort: Number(process.env.MAIL_SMTP_PORT ?? 1025), webPort: Number(process.env.MAIL_WEB_PORT ?? 1080) },
    onLog: (l) => console.log(`  ${l}`),
  });
  console.log(`
ChangeFlow is running.

  Console         ${system.url}/   (sign in as anyone in seed/directory.json)
  API             ${system.url}   (try ${system.url}/health)
  OpenAPI         ${system.url}/openapi.json
  Template        ${system.url}/templates/change-request.md
  Calendar feed   ${system.calendarFeedUrl}
  Webhooks        ${system.url}/webhooks/{github,gitlab,pagerduty,ci}   secrets in ${system.webhookSecretsFile}
  Mail (read the emails, click their links)  ${system.mail.webUrl}
  DynamoDB Local  ${system.dynamoDb.endpoint}   table "${system.config.TABLE_NAME}"
  Data            ${system.dynamoDb.dataPath}
  Time zone       ${system.config.ORG_TIMEZONE}

  A token:        TOKEN=$(npm run --silent token -- --user alice)
  Then:           curl -H "Authorization: Bearer $TOKEN" ${system.url}/changes

Ctrl-C stops everything.
`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping ChangeFlow and DynamoDB Local…');
    await system.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  if (err instanceof JavaMissingError || err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    const busy = (err as NodeJS.ErrnoException & { port?: number }).port ?? port;
    console.error(
      `Port ${busy} is in use: stop what runs there (is ChangeFlow already running?), or change it — PORT=<api port> npm start; ` +
        `the mail catcher uses 1025 (SMTP) and 1080 (web), set MAIL_SMTP_PORT / MAIL_WEB_PORT to move them`,
    );
    process.exit(1);
  }
  throw err;
}

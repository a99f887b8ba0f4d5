import express from 'express';

/** Reference point: one bare Express 5 route answering like serve-bare.ts. */
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/oauth2/auth', (_req, res) => {
  res.set({ 'X-Forwarded-User': 'Alice Andersen', 'X-Forwarded-Email': 'alice@example.test' }).status(200).end();
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));

import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/**
 * What a console page may load and call: this origin only (the console is one bundle, with no
 * font, script or API elsewhere); inline styles for Ant Design's CSS-in-JS; no framing.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/**
 * The staff console under /console/ (platform/console-build.ts builds it): its hashed assets
 * cached for good, sent pre-compressed; every other /console/ path is a page of the app
 * (index.html, never cached, so a new build shows at the next load). `/` leads there.
 */
export const consoleRoutes: FastifyPluginAsync<{ dir: string }> = async (app, { dir }) => {
  const page = (reply: FastifyReply) =>
    reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .sendFile('index.html');
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/console/',
    wildcard: false,
    index: false,
    preCompressed: true,
    // Vite names every asset by its content's hash: cached for good. Anything else is revalidated.
    setHeaders: (reply, file) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const hide = { schema: { hide: true } };
  app.get('/', hide, (_request, reply) => reply.redirect('/console/'));
  app.get('/console', hide, (_request, reply) => reply.redirect('/console/'));
  app.get('/console/', hide, (_request, reply) => page(reply));
  // A missing asset is a 404, not the app's page: a tab open across a rebuild then reloads.
  app.get('/console/assets/*', hide, (request, reply) => reply.status(404).type('text/plain').send(`no asset ${request.url}`));
  app.get('/console/*', hide, (_request, reply) => page(reply));
};

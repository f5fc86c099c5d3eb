// The ceiling for GET /r/:code: bare node:http, a Map lookup and a 302. Nothing else.
'use strict';
const http = require('node:http');

const links = new Map([[process.env.CODE, process.env.DESTINATION]]);
const server = http.createServer((req, res) => {
  const destination = req.url.startsWith('/r/') ? links.get(req.url.slice(3)) : undefined;
  if (destination) {
    res.writeHead(302, { Location: destination, 'Content-Length': '0' });
    res.end();
  } else {
    res.writeHead(404, { 'Content-Length': '0' });
    res.end();
  }
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

'use strict';
/*
 * The sandbox has no network interface: every outbound TCP connection goes through the Unix socket of the host's
 * proxy (serverless/runtime/netproxy.py), which resolves the name, applies the address policy and splices bytes.
 * net.connect/createConnection, http.Agent and tls.connect are redirected, so http, https, fetch, axios,
 * node-fetch and the twilio client all work unchanged. Code that bypasses these entry points only meets the empty
 * network namespace: the kernel, not this file, is the boundary.
 */
const net = require('net');
const tls = require('tls');
const http = require('http');
const stream = require('stream');

const SOCKET = process.env.STUDIO_NET_SOCKET;
const originalConnect = net.connect;
const originalTlsConnect = tls.connect;

function tunnel(host, port) {
  const socket = originalConnect.call(net, { path: SOCKET });
  socket.write(`${host} ${port}\n`); // queued before anything the caller writes
  return socket;
}

function connect(...args) {
  const [options, callback] = net._normalizeArgs(args);
  if (options.path || !options.port) {
    return originalConnect.apply(net, args);
  }
  const socket = tunnel(options.host || 'localhost', options.port);
  if (options.timeout) socket.setTimeout(options.timeout);
  if (callback) socket.once('connect', callback);
  return socket;
}

/* TLS over the tunnel: a plain Duplex, so Node wraps it itself and the handshake follows our header. */
class Tunnel extends stream.Duplex {
  constructor(host, port) {
    super();
    this.socket = tunnel(host, port);
    this.socket.on('data', (chunk) => {
      if (!this.push(chunk)) this.socket.pause();
    });
    this.socket.on('end', () => this.push(null));
    this.socket.on('error', (err) => this.destroy(err));
    this.socket.on('close', () => this.destroy());
  }
  _read() {
    this.socket.resume();
  }
  _write(chunk, encoding, done) {
    this.socket.write(chunk, encoding, done);
  }
  _final(done) {
    this.socket.end(done);
  }
  _destroy(err, done) {
    this.socket.destroy();
    done(err);
  }
  setTimeout(ms, callback) {
    this.socket.setTimeout(ms, callback);
    return this;
  }
  setNoDelay() {
    return this;
  }
  setKeepAlive() {
    return this;
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
}

function tlsConnect(...args) {
  let options = {};
  let callback;
  const rest = [];
  for (const arg of args) {
    if (typeof arg === 'function') callback = arg;
    else if (arg && typeof arg === 'object') options = { ...arg, ...options };
    else rest.push(arg);
  }
  if (rest.length > 0 && typeof rest[0] === 'number') options.port = rest[0];
  if (rest.length > 1 && typeof rest[1] === 'string') options.host = rest[1];
  if (!options.socket && !options.path && options.port) {
    const host = options.host || 'localhost';
    options.socket = new Tunnel(host, options.port);
    if (!options.servername && !net.isIP(host)) options.servername = host;
  }
  return originalTlsConnect.call(tls, options, callback);
}

net.connect = connect;
net.createConnection = connect;
http.Agent.prototype.createConnection = connect;
tls.connect = tlsConnect;

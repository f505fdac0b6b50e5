'use strict';
/*
 * One warm Node worker of a build, inside the sandbox. Requests arrive as JSON lines on stdin; replies (logs and
 * results) leave as JSON lines on fd 3, so nothing a function prints can forge a reply. One invocation at a time:
 * the host kills the whole worker on timeout, crash or memory exhaustion and starts a fresh one.
 */
require('./netshim');
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const util = require('util');
const twilio = require('twilio');
const RequestClient = require('twilio/lib/base/RequestClient');
// The Toolkit's own runtime pieces (its package "exports" hide them, so they are reached by file path).
const HANDLER = path.join(__dirname, 'node_modules', '@twilio', 'runtime-handler', 'dist', 'dev-runtime');
const { Response } = require(path.join(HANDLER, 'internal', 'response'));
const { cleanUpStackTrace } = require(path.join(HANDLER, 'utils', 'stack-trace', 'clean-up'));
const { checkForValidAccountSid } = require(path.join(HANDLER, 'checks', 'check-account-sid'));
const { checkForValidAuthToken } = require(path.join(HANDLER, 'checks', 'check-auth-token'));

const BUNDLE = '/bundle';
const OUT = Number(process.env.STUDIO_REPLY_FD || 3);
const MAX_LOG_LINES = 500;
const MAX_LOG_CHARS = 8192;

function send(message) {
  const data = Buffer.from(JSON.stringify(message) + '\n');
  let offset = 0;
  while (offset < data.length) offset += fs.writeSync(OUT, data, offset);
}

let current = null; // {id, logs, apiBaseUrl}

function log(level, args) {
  if (!current || current.logs >= MAX_LOG_LINES) return;
  current.logs += 1;
  const message = util.format(...args).slice(0, MAX_LOG_CHARS);
  send({ id: current.id, type: 'log', level, message });
}
console.log = (...args) => log('info', args);
console.info = console.log;
console.debug = console.log;
console.trace = console.log;
console.warn = (...args) => log('warn', args);
console.error = (...args) => log('error', args);

/* Every Twilio API request of getTwilioClient() goes to this server's API, Basic auth unchanged. */
class LocalRequestClient extends RequestClient {
  request(opts) {
    const base = current && current.apiBaseUrl;
    if (base) {
      const url = new URL(opts.uri);
      if (url.hostname.endsWith('.twilio.com')) {
        opts = { ...opts, uri: base.replace(/\/$/, '') + url.pathname + url.search };
        opts.headers = { ...(opts.headers || {}), 'X-Twilio-Host': url.hostname };
      }
    }
    return super.request(opts);
  }
}

function makeClient(env, options) {
  return twilio(env.ACCOUNT_SID, env.AUTH_TOKEN, {
    lazyLoading: true,
    ...options,
    httpClient: new LocalRequestClient(),
  });
}

function absolute(filename) {
  return path.join(BUNDLE, filename);
}

function runtimeGlobal(request, env) {
  return {
    getAssets() {
      const result = {};
      for (const asset of request.assets) {
        const file = absolute(asset.filename);
        result[asset.path] = { path: file, open: () => fs.readFileSync(file, 'utf8') };
      }
      return result;
    },
    getFunctions() {
      const result = {};
      for (const fn of request.functions) result[fn.path.replace(/^\//, '')] = { path: absolute(fn.filename) };
      return result;
    },
    getSync(options) {
      const opts = { serviceName: 'default', ...options };
      const serviceName = opts.serviceName || 'default';
      delete opts.serviceName;
      const service = makeClient(env, opts).sync.v1.services(serviceName);
      service.maps = service.syncMaps;
      service.lists = service.syncLists;
      return service;
    },
  };
}

function checkCredentials(env, functionName) {
  const options = { shouldPrintMessage: false, shouldThrowError: true, functionName };
  checkForValidAccountSid(env.ACCOUNT_SID, options);
  checkForValidAuthToken(env.AUTH_TOKEN, options);
}

function buildContext(request) {
  const env = request.context;
  return {
    ...env,
    getTwilioClient(options) {
      checkCredentials(env, 'context.getTwilioClient()');
      return makeClient(env, options);
    },
  };
}

function isTwiml(obj) {
  const { VoiceResponse, MessagingResponse, FaxResponse } = twilio.twiml;
  if (obj instanceof VoiceResponse || obj instanceof MessagingResponse || obj instanceof FaxResponse) return true;
  // a function's own copy of the twilio package has classes of its own
  const name = obj.constructor && obj.constructor.name;
  return ['VoiceResponse', 'MessagingResponse', 'FaxResponse'].includes(name) && typeof obj.response === 'object';
}

function isResponse(obj) {
  return obj instanceof Response || (obj.constructor && obj.constructor.name === 'Response' && 'statusCode' in obj);
}

function headerList(headers) {
  const list = [];
  for (const [key, value] of Object.entries(headers || {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) list.push([key, String(item)]);
    }
  }
  return list;
}

function hasHeader(list, name) {
  return list.some(([key]) => key.toLowerCase() === name);
}

/* The body as Express's res.send would write it (the emulator's behaviour, spec §2.5). */
function encodeBody(body, headers) {
  if (body === null || body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) {
    if (!hasHeader(headers, 'content-type')) headers.push(['Content-Type', 'application/octet-stream']);
    return body;
  }
  if (typeof body === 'string') {
    if (!hasHeader(headers, 'content-type')) headers.push(['Content-Type', 'text/html; charset=utf-8']);
    return Buffer.from(body);
  }
  if (!hasHeader(headers, 'content-type')) headers.push(['Content-Type', 'application/json; charset=utf-8']);
  return Buffer.from(JSON.stringify(body));
}

function successReply(payload) {
  if (payload === undefined || payload === null) return { status: 200, headers: [], body: Buffer.alloc(0) };
  if (typeof payload === 'string') {
    return { status: 200, headers: [['Content-Type', 'text/plain; charset=utf-8']], body: Buffer.from(payload) };
  }
  if (typeof payload === 'object' && isTwiml(payload)) {
    return { status: 200, headers: [['Content-Type', 'text/xml; charset=utf-8']], body: Buffer.from(payload.toString()) };
  }
  if (typeof payload === 'object' && isResponse(payload)) {
    const serialized = typeof payload.serialize === 'function' ? payload.serialize() : payload;
    const headers = headerList(serialized.headers);
    const body = encodeBody(serialized.body, headers);
    return { status: Number(serialized.statusCode) || 200, headers, body };
  }
  const body = Buffer.from(JSON.stringify(payload) ?? '');
  return { status: 200, headers: [['Content-Type', 'application/json; charset=utf-8']], body };
}

function errorText(err) {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return typeof err === 'string' ? err : util.inspect(err);
}

function errorReply(err) {
  if (err instanceof Error) {
    const clean = cleanUpStackTrace(err);
    const body = JSON.stringify({ message: clean.message, name: clean.name, stack: clean.stack });
    return { status: 500, headers: [['Content-Type', 'application/json; charset=utf-8']], body: Buffer.from(body) };
  }
  const headers = [];
  return { status: 500, headers, body: encodeBody(err, headers) };
}

function wipeTmp() {
  for (const entry of fs.readdirSync('/tmp')) fs.rmSync(path.join('/tmp', entry), { recursive: true, force: true });
}

function finish(id, reply, error, logged = false) {
  if (!current || current.id !== id) return;
  if (error && !logged) log('error', [error]);
  current = null;
  try {
    wipeTmp();
  } catch (err) {
    // a file the function left busy: the next invocation still gets a usable /tmp
  }
  send({ id, type: 'result', status: reply.status, headers: reply.headers, body: reply.body.toString('base64'), error });
}

function loadError(filename, err) {
  if (err instanceof SyntaxError && typeof err.stack === 'string') {
    const where = err.stack.split('\n')[0].replace(BUNDLE + '/', '');
    return `${filename}: SyntaxError: ${err.message} (${where})`;
  }
  return `${filename}: ${errorText(err)}`;
}

function load(filename) {
  const mod = require(absolute(filename));
  if (!mod || typeof mod.handler !== 'function') throw new Error('the module does not export a handler function');
  return mod;
}

function invoke(request) {
  const id = request.id;
  current = { id, logs: 0, apiBaseUrl: request.api_base_url };
  const env = request.context;
  global.Twilio = { ...twilio, Response };
  global.Response = Response;
  global.Runtime = runtimeGlobal(request, env);
  global.Functions = global.Runtime.getFunctions();
  try {
    checkCredentials(env, 'twilioClient');
    global.twilioClient = makeClient(env, {});
  } catch (err) {
    delete global.twilioClient;
  }
  let mod;
  try {
    mod = load(request.filename);
  } catch (err) {
    finish(id, errorReply(err), loadError(request.filename, err));
    return;
  }
  let called = false;
  const callback = (err, payload) => {
    if (called) return;
    called = true;
    if (err) {
      if (err instanceof Error) log('error', [err.stack || String(err)]);
      finish(id, errorReply(err), errorText(err), err instanceof Error);
      return;
    }
    let reply;
    try {
      reply = successReply(payload);
    } catch (e) {
      finish(id, errorReply(e), errorText(e));
      return;
    }
    finish(id, reply, null);
  };
  try {
    const returned = mod.handler(buildContext(request), request.event, callback);
    if (returned && typeof returned.then === 'function') returned.then(undefined, (err) => callback(err));
  } catch (err) {
    callback(err);
  }
}

function check(request) {
  const errors = [];
  for (const filename of request.files) {
    try {
      load(filename);
    } catch (err) {
      errors.push(loadError(filename, err));
    }
  }
  send({ id: request.id, type: 'checked', errors });
}

process.on('uncaughtException', (err) => {
  if (current) {
    log('error', [err && err.stack ? err.stack : String(err)]);
    finish(current.id, errorReply(err), `uncaught exception: ${errorText(err)}`, true);
  }
});
process.on('unhandledRejection', (err) => {
  if (current) {
    log('error', [err && err.stack ? err.stack : String(err)]);
    finish(current.id, errorReply(err), `unhandled rejection: ${errorText(err)}`, true);
  }
});

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const request = JSON.parse(line);
  if (request.op === 'check') check(request);
  else invoke(request);
});
lines.on('close', () => process.exit(0));
send({ type: 'ready' });

// Preloaded into a booted Nest fixture (NODE_OPTIONS=--require): prints `REGISTERED <METHOD> <path>`
// for every path Nest hands to the HTTP adapter, i.e. exactly what the server serves.
const path = require('node:path');
const { createRequire } = require('node:module');
const local = createRequire(path.join(process.cwd(), 'package.json'));
const { RouterMethodFactory, REQUEST_METHOD_MAP } = local('@nestjs/core/helpers/router-method-factory.js');
const original = RouterMethodFactory.prototype.get;
RouterMethodFactory.prototype.get = function (target, requestMethod) {
  const method = original.call(this, target, requestMethod);
  const name = (REQUEST_METHOD_MAP[requestMethod] || 'use').toUpperCase();
  return function (routePath, ...rest) {
    process.stdout.write(`REGISTERED ${name} ${routePath}\n`);
    return method.call(this, routePath, ...rest);
  };
};

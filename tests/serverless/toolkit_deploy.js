// Deploys a project folder with the Serverless Toolkit's own client (@twilio-labs/serverless-api,
// the code behind `twilio serverless:deploy`), pointed at this server instead of twilio.com:
// its API and upload hosts are both API_BASE. Prints the Toolkit's deploy result as JSON.
const path = require('path');

const modules = process.env.TOOLKIT_MODULES;
const apiClient = require(path.join(modules, '@twilio-labs/serverless-api/dist/api/utils/api-client'));
apiClient.getApiUrl = (_config, _product = 'serverless', version = 'v1') => `${process.env.API_BASE}/${version}`;
const { TwilioServerlessApiClient } = require(path.join(modules, '@twilio-labs/serverless-api'));

const [cwd, serviceName, functionsEnv] = process.argv.slice(2);
const credentials = { username: process.env.ACCOUNT_SID, password: process.env.AUTH_TOKEN };
const client = new TwilioServerlessApiClient(credentials);
client
  .deployLocalProject({
    cwd,
    serviceName,
    functionsEnv,
    env: { GREETING: 'from the toolkit' },
    pkgJson: require(path.join(cwd, 'package.json')),
    accountSid: process.env.ACCOUNT_SID,
    authToken: process.env.AUTH_TOKEN,
    overrideExistingService: true,
  })
  .then((result) => {
    const { serviceSid, environmentSid, buildSid, domain, functionResources, assetResources } = result;
    const strip = (r) => ({ path: r.path, access: r.access, sid: r.sid });
    console.log(JSON.stringify({ serviceSid, environmentSid, buildSid, domain,
      functions: functionResources.map(strip), assets: assetResources.map(strip) }));
  })
  .catch((err) => {
    console.error(err && (err.stack || err));
    process.exit(1);
  });

/**
 * bare-client — the least a Node.js program can do for the secrets action's job, as the
 * practical floor of bench:fetch on the machine it runs on: get the ID token, log in,
 * read every `path key | NAME` line with at most INPUT_CONCURRENCY requests in flight
 * over one keep-alive agent, and append the values to GITHUB_ENV and GITHUB_OUTPUT in one
 * write each. No masking, no validation, no retries, no cleanup: it is a measuring stick,
 * not a client anyone should use. It reads the same INPUT_* variables as the action.
 */
import { appendFileSync } from "node:fs";
import http from "node:http";

const env = process.env;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function call(url, method, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent, headers }, (response) => {
      const chunks = [];
      response.on("data", (c) => chunks.push(c));
      response.on("end", () => {
        if ((response.statusCode ?? 0) >= 300) reject(new Error(`${method} ${url}: ${response.statusCode}`));
        else resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      });
    });
    request.on("error", reject);
    request.end(body);
  });
}

const audience = encodeURIComponent(env.INPUT_JWTGITHUBAUDIENCE ?? "");
const { value: jwt } = await call(`${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${audience}`, "GET", undefined, {
  authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`,
});
const vault = (env.INPUT_URL ?? "").replace(/\/$/, "");
const login = await call(`${vault}/v1/auth/${env.INPUT_PATH}/login`, "POST", JSON.stringify({ role: env.INPUT_ROLE, jwt }));
const token = login.auth.client_token;

const lines = (env.INPUT_SECRETS ?? "")
  .split(/[;\n]/)
  .map((l) => l.trim())
  .filter(Boolean);
const wanted = lines.map((line) => {
  const [where, name] = line.split("|").map((s) => s.trim());
  const [path, key] = where.split(/\s+/);
  return { path, key, name };
});
const values = new Array(wanted.length);
let next = 0;
const worker = async () => {
  while (next < wanted.length) {
    const i = next++;
    const { path, key } = wanted[i];
    const answer = await call(`${vault}/v1/${path}`, "GET", undefined, { "x-vault-token": token });
    values[i] = answer.data.data?.[key] ?? answer.data[key];
  }
};
await Promise.all(Array.from({ length: Math.min(Number(env.INPUT_CONCURRENCY ?? 32), wanted.length) }, worker));

const records = wanted.map(({ name }, i) => `${name}<<EOF_${i}\n${values[i]}\nEOF_${i}\n`).join("");
appendFileSync(env.GITHUB_ENV, records);
appendFileSync(env.GITHUB_OUTPUT, records);
agent.destroy();

// Taplo's TOML language server over stdio.
//
// The npm builds of Taplo's command line (@taplo/cli) carry no LSP; @taplo/lsp does, as a
// WebAssembly library that editors' extensions drive. This script gives it the environment it
// asks for (files, clock, environment variables) and frames its JSON-RPC messages on
// stdin/stdout as the LSP base protocol does, so any LSP client (and lorachecks' tests) can
// start it as `node taplo-lsp.mjs`.
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import taploLsp from "@taplo/lsp";

const { TaploLsp } = taploLsp;

const environment = {
  now: () => new Date(),
  envVar: (name) => process.env[name],
  envVars: () => Object.entries(process.env),
  stdErrAtty: () => process.stderr.isTTY,
  // stdout carries the protocol: anything Taplo would print goes to stderr instead.
  stdin: async () => new Uint8Array(),
  stdout: async (bytes) => (process.stderr.write(bytes), bytes.length),
  stderr: async (bytes) => (process.stderr.write(bytes), bytes.length),
  glob: () => [],
  readFile: (file) => fs.promises.readFile(file),
  writeFile: (file, bytes) => fs.promises.writeFile(file, bytes),
  // Taplo also passes its own schema URLs (taplo://...) through here: only file URLs are paths.
  urlToFilePath: (url) => (url.startsWith("file:") ? fileURLToPath(url) : url),
  isAbsolute: (file) => path.isAbsolute(file),
  cwd: () => process.cwd(),
  findConfigFile: (from) => {
    for (const name of [".taplo.toml", "taplo.toml"]) {
      const candidate = path.join(from, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    return undefined;
  },
  fetch: { fetch: globalThis.fetch, Headers, Request, Response },
};

function send(message) {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
  process.stdout.write(body);
}

const lsp = await TaploLsp.initialize(environment, { onMessage: send });

let pending = Buffer.alloc(0);
process.stdin.on("data", (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  for (;;) {
    const end = pending.indexOf("\r\n\r\n");
    if (end < 0) return;
    const header = pending.subarray(0, end).toString("ascii");
    const match = /Content-Length: *(\d+)/i.exec(header);
    if (!match) {
      pending = pending.subarray(end + 4);
      continue;
    }
    const length = Number(match[1]);
    if (pending.length < end + 4 + length) return;
    const body = pending.subarray(end + 4, end + 4 + length).toString("utf8");
    pending = pending.subarray(end + 4 + length);
    const message = JSON.parse(body);
    lsp.send(message);
    if (message.method === "exit") process.exit(0);
  }
});
process.stdin.on("end", () => process.exit(0));

// Throw-away TLS material for tests, made with the openssl CLI in a folder the caller owns (and removes): a CA, and
// certificates it signs for an engine (its IP addresses and names) or a client. EC P-256 keys: quick to make.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";

export interface Pem {
  /** The certificate's file and its PEM. */
  certFile: string;
  cert: string;
  keyFile: string;
  key: string;
}

export interface TestCa extends Pem {
  dir: string;
  name: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function pemOf(dir: string, name: string): Pem {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  return { certFile, cert: readFileSync(certFile, "utf8"), keyFile, key: readFileSync(keyFile, "utf8") };
}

/** A self-signed CA valid for two days, as `<dir>/<name>.pem` and `<dir>/<name>-key.pem`. */
export function makeCa(dir: string, name: string): TestCa {
  openssl(
    [
      "req",
      "-x509",
      ...EC_KEY,
      "-keyout",
      `${name}-key.pem`,
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-subj",
      `/CN=kafka-lab test CA ${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    dir,
  );
  return { dir, name, ...pemOf(dir, name) };
}

/**
 * A certificate signed by `ca`: for a server when `names` (IP addresses or DNS names) are given, else for a client.
 * Written as `<ca.dir>/<name>.pem` and `<name>-key.pem`.
 */
export function issue(ca: TestCa, name: string, names?: string[]): Pem {
  const dir = ca.dir;
  openssl(["req", "-new", ...EC_KEY, "-keyout", `${name}-key.pem`, "-out", `${name}.csr`, "-subj", `/CN=${name}`], dir);
  const san = (names ?? []).map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
  const extensions = [
    "basicConstraints=CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    names ? `extendedKeyUsage=serverAuth\nsubjectAltName=${san}` : "extendedKeyUsage=clientAuth",
  ].join("\n");
  writeFileSync(join(dir, `${name}.ext`), `${extensions}\n`);
  openssl(
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${ca.name}.pem`,
      "-CAkey",
      `${ca.name}-key.pem`,
      "-set_serial",
      `0x${randomBytes(8).toString("hex")}`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.pem`,
    ],
    dir,
  );
  return pemOf(dir, name);
}

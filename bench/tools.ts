// Tools the benchmark uses beside Docker and node: kcat, docker-compose (Debian's package) and Python's
// matplotlib for the chart. Missing Debian packages are installed with apt-get when running as root.

import { run } from "./clients.js";

async function works(cmd: string, args: string[]): Promise<boolean> {
  return run(cmd, args).then(
    (r) => r.exitCode === 0,
    () => false,
  );
}

/** apt-get install, once after an apt-get update if the first attempt fails; false when not possible. */
async function aptInstall(pkg: string, log: (line: string) => void): Promise<boolean> {
  if (process.getuid?.() !== 0 || !(await works("apt-get", ["--version"]))) return false;
  log(`  installing Debian's ${pkg} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if ((await run("apt-get", ["install", "-y", "-qq", pkg], { env })).exitCode === 0) return true;
  await run("apt-get", ["update", "-qq"], { env });
  return (await run("apt-get", ["install", "-y", "-qq", pkg], { env })).exitCode === 0;
}

export async function ensureCompose(log: (line: string) => void): Promise<string | undefined> {
  if (await works("docker-compose", ["version", "--short"])) return undefined;
  if ((await aptInstall("docker-compose", log)) && (await works("docker-compose", ["version", "--short"])))
    return undefined;
  return "docker-compose is not installed and could not be installed with apt-get (Debian package docker-compose)";
}

/** A Python interpreter that has matplotlib, installing Debian's python3-matplotlib if needed. */
export async function pythonWithMatplotlib(log: (line: string) => void): Promise<string | undefined> {
  const candidates = ["python3", "/usr/bin/python3"];
  for (const python of candidates) if (await works(python, ["-c", "import matplotlib"])) return python;
  if ((await aptInstall("python3-matplotlib", log)) && (await works("/usr/bin/python3", ["-c", "import matplotlib"])))
    return "/usr/bin/python3";
  return undefined;
}

export async function version(cmd: string, args: string[]): Promise<string> {
  const r = await run(cmd, args).catch(() => undefined);
  return r && r.exitCode === 0 ? (r.stdout || r.stderr).trim().split("\n")[0]!.trim() : "not installed";
}

// What a config key is: its type and default as Pulumi.yaml declares them, its description, and the parser that
// turns the stack's raw text into the value the program uses (or reports what is allowed). Services declare their
// own keys with these helpers; config.ts folds over all of them. Pure: no Pulumi or Docker imports.

import { isIP } from "node:net";

export const CONFIG_NAMESPACE = "kafka-lab";

export type KeyType = "string" | "integer" | "boolean" | "array" | "object";

/** A default as Pulumi.yaml declares it (arrays as arrays, maps as maps). */
export type DeclaredDefault =
  string | number | boolean | readonly string[] | readonly object[] | Readonly<Record<string, string>>;

/** Reads a file that config names (schema files); undefined when it cannot be read. */
export type ReadFile = (path: string) => string | undefined;

/** What a parser may use besides the text: a way to refuse it, and the project's files. */
export interface ParseContext {
  /** Records a problem with this key: `allowed` says what is allowed; `value` defaults to the raw text. */
  fail(allowed: string, value?: string): void;
  readFile: ReadFile;
}

export interface KeyDecl<T> {
  readonly type: KeyType;
  /** For arrays: the type of their items, as Pulumi.yaml declares it (default string). */
  readonly items?: KeyType;
  readonly default: DeclaredDefault;
  /** One line for Pulumi.yaml and the README. */
  readonly description: string;
  /** More for the README's config table, when one line is not enough. */
  readonly details?: string;
  /**
   * Must be set as a secret and is never shown in messages. Pulumi.yaml does not declare it: Pulumi refuses a
   * declared secret key that a stack leaves unset (with or without a default), and these are optional.
   */
  readonly secret?: boolean;
  /** For a secret: the command that sets it as one (what a message about it says). */
  readonly howToSet?: string;
  /** For a host port (0: chosen on the lab's first pulumi up and kept): where it goes when the lab chooses. */
  readonly hostPorts?: HostPorts;
  /** The value from the raw text (the default's text when unset); on a problem, ctx.fail and a fallback. */
  parse(text: string, ctx: ParseContext): T;
}

/** Any set of keys: what a service or the lab declares. */
export type KeySet = Readonly<Record<string, KeyDecl<unknown>>>;

/** The parsed values of a set of keys. */
export type ValuesOf<K extends KeySet> = { -readonly [Name in keyof K]: K[Name] extends KeyDecl<infer T> ? T : never };

/** The declared default as the raw text Pulumi would hand the program. */
export function defaultText(decl: KeyDecl<unknown>): string {
  return typeof decl.default === "string" ? decl.default : JSON.stringify(decl.default);
}

type Common = Pick<KeyDecl<unknown>, "description" | "details">;

export function stringKey(
  spec: Common & {
    default: string;
    secret?: boolean;
    howToSet?: string;
    check?: (text: string) => string | undefined;
  },
): KeyDecl<string> {
  return {
    type: "string",
    ...spec,
    parse(text, ctx) {
      const problem = spec.check?.(text);
      if (problem) ctx.fail(problem);
      return text;
    },
  };
}

export function integerKey(
  spec: Common & { default: number; min: number; max: number; check?: (n: number) => string | undefined },
): KeyDecl<number> {
  return {
    type: "integer",
    default: spec.default,
    description: spec.description,
    details: spec.details,
    parse(text, ctx) {
      if (!/^-?\d+$/.test(text.trim()) || Number(text) < spec.min || Number(text) > spec.max) {
        ctx.fail(`must be a whole number from ${spec.min} to ${spec.max}`);
        return spec.default;
      }
      const problem = spec.check?.(Number(text));
      if (problem) ctx.fail(problem);
      return Number(text);
    },
  };
}

export function booleanKey(spec: Common & { default: boolean }): KeyDecl<boolean> {
  return {
    type: "boolean",
    ...spec,
    parse(text, ctx) {
      if (text === "true" || text === "false") return text === "true";
      ctx.fail("must be true or false");
      return spec.default;
    },
  };
}

export function oneOfKey<T extends string>(spec: Common & { default: T; allowed: readonly T[] }): KeyDecl<T> {
  return {
    type: "string",
    default: spec.default,
    description: spec.description,
    details: spec.details,
    parse(text, ctx) {
      if ((spec.allowed as readonly string[]).includes(text)) return text as T;
      ctx.fail(`must be one of: ${spec.allowed.join(", ")}`);
      return spec.default;
    },
  };
}

/** The value of JSON text, or undefined when the text is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A list of strings (Pulumi hands lists over as JSON text), then `build` turns it into the value. */
export function stringListKey<T>(
  spec: Common & { default: readonly string[]; example: string; build: (items: string[], ctx: ParseContext) => T },
): KeyDecl<T> {
  return {
    type: "array",
    default: spec.default,
    description: spec.description,
    details: spec.details,
    parse(text, ctx) {
      const parsed = parseJson(text);
      if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
        ctx.fail(`must be a list of strings, e.g. ${spec.example}`);
        return spec.build([], ctx);
      }
      return spec.build(parsed, ctx);
    },
  };
}

/** A list of maps or a map (as JSON text), then `build` turns it into the value. */
export function jsonKey<T, S extends "array" | "object">(
  spec: Common & {
    shape: S;
    default: S extends "array" ? readonly object[] : Readonly<Record<string, string>>;
    example: string;
    build: (parsed: S extends "array" ? unknown[] : Record<string, unknown>, ctx: ParseContext) => T;
  },
): KeyDecl<T> {
  type Parsed = S extends "array" ? unknown[] : Record<string, unknown>;
  return {
    type: spec.shape,
    ...(spec.shape === "array" ? { items: "object" as const } : {}),
    default: spec.default,
    description: spec.description,
    details: spec.details,
    parse(text, ctx) {
      const parsed = parseJson(text);
      const fits =
        spec.shape === "array"
          ? Array.isArray(parsed)
          : typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
      if (!fits) {
        ctx.fail(`must be a ${spec.shape === "array" ? "list" : "map"}, e.g. ${spec.example}`);
        return spec.build((spec.shape === "array" ? [] : {}) as Parsed, ctx);
      }
      return spec.build(parsed as Parsed, ctx);
    },
  };
}

// ---------------------------------------------------------------- kinds of values several services use

/** Docker reference grammar (distribution/reference), simplified: [registry[:port]/]path[:tag][@digest]. */
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export function isValidImageReference(image: string): boolean {
  return image.length <= 255 && IMAGE_REFERENCE.test(image);
}

export function imageKey(spec: Common & { default: string }): KeyDecl<string> {
  return stringKey({
    ...spec,
    check: (text) =>
      isValidImageReference(text)
        ? undefined
        : "must be a Docker image reference such as confluentinc/cp-kafka:7.9.1 (lower-case repository, optional :tag)",
  });
}

/** "256m" or "1g" to MiB; undefined when malformed. */
export function parseHeapMb(text: string): number | undefined {
  const m = /^(\d+)([mMgG])$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * (m[2]!.toLowerCase() === "g" ? 1024 : 1);
  return n > 0 ? n : undefined;
}

const MIN_HEAP_MB = 64;
const MAX_HEAP_MB = 16384;

/** A JVM heap written as 256m or 1g; the value is in MiB. */
export function heapKey(spec: Common & { default: string }): KeyDecl<number> {
  return {
    type: "string",
    ...spec,
    parse(text, ctx) {
      const mb = parseHeapMb(text);
      if (mb === undefined || mb < MIN_HEAP_MB || mb > MAX_HEAP_MB) {
        ctx.fail(`must be a size in m or g from ${MIN_HEAP_MB}m to 16g, such as 256m or 1g`);
        return parseHeapMb(spec.default)!;
      }
      return mb;
    },
  };
}

/** Where a host-port key's ports go when the lab chooses them (the key is 0). */
export interface HostPorts {
  /** The port the tutorials use, tried first. */
  conventional: number;
  /** How many ports from it the lab may publish (one per broker, say). */
  span: number;
  /** Its place in a block of 100 ports, when the conventional ports are taken. */
  blockOffset: number;
}

/**
 * The first host port of a service: 1 to 65535, or 0 (the default), which lets the lab choose a free block of ports
 * on its first `pulumi up` (the conventional ones when free) and keep it.
 */
export function portKey(spec: Common & { hostPorts: HostPorts }): KeyDecl<number> {
  return {
    type: "integer",
    default: 0,
    description: spec.description,
    details: [
      spec.details,
      `0: on the lab's first \`pulumi up\`, ${spec.hostPorts.conventional} when free, else a free block, kept afterwards.`,
    ]
      .filter(Boolean)
      .join(" "),
    hostPorts: spec.hostPorts,
    parse(text, ctx) {
      if (!/^\d+$/.test(text.trim()) || Number(text) > 65535) {
        ctx.fail("must be a port from 1 to 65535, or 0 to let the lab choose a free one on its first pulumi up");
        return 0;
      }
      return Number(text);
    },
  };
}

const HOSTNAME =
  /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export function isValidHost(host: string): boolean {
  return isIP(host) !== 0 || HOSTNAME.test(host);
}

// ---------------------------------------------------------------- problems

export interface ConfigProblem {
  key: string;
  value: string | undefined;
  allowed: string;
}

/** Records a problem with a key, for the checks that involve several keys. */
export type Fail = (key: string, value: string | undefined, allowed: string) => void;

/** Thrown when the configuration is refused. Lists every problem at once, each with the key and what is allowed. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  private readonly isSecret: (key: string) => boolean;
  /** `hint`: the message's last line, how to change a value where the settings came from. */
  constructor(problems: ConfigProblem[], isSecret: (key: string) => boolean, hint = CONFIG_SET_HINT) {
    super(formatProblems(problems, isSecret, hint));
    this.name = "ConfigError";
    this.problems = problems;
    this.isSecret = isSecret;
  }

  /** The same problems, ending with another way to change a value (settings given in code, not a stack file). */
  withHint(hint: string): ConfigError {
    return new ConfigError(this.problems, this.isSecret, hint);
  }
}

const CONFIG_SET_HINT = `Change a value with: pulumi config set ${CONFIG_NAMESPACE}:<key> <value>`;

function formatProblems(problems: ConfigProblem[], isSecret: (key: string) => boolean, hint: string): string {
  const lines = problems.map((p) => {
    const shown = p.value === undefined ? "(missing)" : isSecret(p.key) ? "[secret]" : JSON.stringify(p.value);
    return `  - ${CONFIG_NAMESPACE}:${p.key} = ${shown}: ${p.allowed}`;
  });
  const noun = problems.length === 1 ? "problem" : "problems";
  return `kafka-lab config has ${problems.length} ${noun}; nothing was created:\n${lines.join("\n")}\n${hint}`;
}

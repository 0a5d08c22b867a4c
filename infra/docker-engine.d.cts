// Types of docker-engine.cjs.

export interface EngineResponse {
  status: number;
  data: Buffer;
}

export function request(method: string, path: string, body?: unknown): Promise<EngineResponse>;
export function demultiplex(data: Buffer): string;
export function exec(container: string, cmd: string[], env: string[]): Promise<{ exitCode: number; output: string }>;

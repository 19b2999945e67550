// Types for build-node.mjs (plain JavaScript, so it can run before anything is compiled).
export declare function buildNode(options?: { quiet?: boolean }): Promise<string>;
export declare function ensureCompiled(name: string): Promise<string | null>;

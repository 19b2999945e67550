// Types for compiled.mjs (plain JavaScript, so it can run before anything is compiled).
export declare const root: string;
export declare const outDir: string;
export declare const ENTRIES: Record<string, string>;
export declare function isFresh(dir?: string): boolean;
export declare function compiledFile(name: string): string | null;
export declare function overviewFromIndex(): string | null;

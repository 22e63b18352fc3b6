// Node globals the fixtures touch, without pulling in @types/node.
declare const process: { env: Record<string, string | undefined>; [key: string]: any };
declare const console: { log(...a: any[]): void; error(...a: any[]): void; warn(...a: any[]): void; info(...a: any[]): void; debug(...a: any[]): void };
declare function setTimeout(fn: (...args: any[]) => void, ms?: number, ...args: any[]): any;
declare function clearTimeout(handle: any): void;
declare function setInterval(fn: (...args: any[]) => void, ms?: number, ...args: any[]): any;
declare function clearInterval(handle: any): void;
declare function setImmediate(fn: (...args: any[]) => void, ...args: any[]): any;
declare function require(id: string): any;
declare const module: any;
declare const exports: any;
declare const __dirname: string;
declare const Buffer: any;
declare type Buffer = any;
declare const URL: any;
declare const URLSearchParams: any;
declare function fetch(input: any, init?: any): Promise<any>;
declare const AbortController: any;
declare const TextEncoder: any;
declare const TextDecoder: any;
declare namespace NodeJS { type Timeout = any; type Timer = any; type Immediate = any; type ProcessEnv = Record<string, string | undefined>; interface ErrnoException extends Error { code?: string; [key: string]: any } }
// The jest globals the fixtures' spec files use.
declare function describe(name: string, fn: () => void): void;
declare function it(name: string, fn: () => any, timeout?: number): void;
declare function beforeEach(fn: () => any): void;
declare function afterEach(fn: () => any): void;
declare function expect(value: any): any;

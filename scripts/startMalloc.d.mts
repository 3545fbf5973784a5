export declare const START_MALLOC_ENV: Readonly<{ MALLOC_ARENA_MAX: string }>;
export declare function startGetsMallocEnv(env?: NodeJS.ProcessEnv): boolean;
export declare function execStartWithMallocEnv(): void;

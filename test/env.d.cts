export declare const testEnv: Record<string, string>

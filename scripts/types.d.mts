/** scripts/types.mjs: the package's declarations, generated from the source into `outDir`. */
export declare function buildTypes(outDir: string): Promise<string[]>;

import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "generated/", "node_modules/", ".data/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-syntax": ["error", { selector: "ExportDefaultDeclaration", message: "Use named exports." }],
    },
  },
  {
    // Code the functions bundle: `import { z } from "zod"` hands esbuild zod's whole
    // namespace as one value, every locale included (+0.55 MB in each bundle, read
    // and compiled on every cold start); `import * as z` lets it keep what is used.
    files: ["functions/**/*.ts", "runtime/**/*.ts", "tasks/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      // The first selector repeats the one above: a later block replaces a rule's options.
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: "Use named exports." },
        {
          selector:
            "ImportDeclaration[source.value='zod'][importKind='value'] > :matches(ImportSpecifier[importKind='value'][imported.name='z'], ImportDefaultSpecifier)",
          message: 'Use `import * as z from "zod"`: the named or default `z` bundles all of zod.',
        },
      ],
    },
  },
  {
    // The handler contract is one file: a definition or handler reads runtime/contract.ts only.
    files: ["functions/*/definition.ts", "functions/*/handler.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: "/runtime/(?!contract\\.js$)", message: "Import the runtime through runtime/contract.ts, the handler contract." }] },
      ],
    },
  },
  {
    // Config files are the one place where a tool demands a default export.
    files: ["*.config.ts", "*.config.js"],
    rules: { "no-restricted-syntax": "off" },
  },
);

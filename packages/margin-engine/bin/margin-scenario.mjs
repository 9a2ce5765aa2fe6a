#!/usr/bin/env node
// Runs the TypeScript CLI without a build step: register tsx's ESM loader, then import the source.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');

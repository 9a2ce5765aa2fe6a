// The part of tar-fs 3 used here (the package ships no types; @types/tar-fs describes version 2).
declare module 'tar-fs' {
  import type { Writable } from 'node:stream';
  export function extract(cwd: string): Writable;
}

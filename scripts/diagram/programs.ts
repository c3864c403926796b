import * as fs from 'fs';
import * as path from 'path';
import { escapeForKubelet } from '../../lib/kubelet-expansion';

/** What a container's command does, when it is one of the programs this project writes into manifests. */
export interface Program {
  /** One line, such as `stream: prints each line of access.log once`. */
  readonly does: string;
  /** Whether it reads the logs and prints them to its standard output. */
  readonly printsLogs: boolean;
}

const SHIPPERS = path.join(__dirname, '..', '..', 'lib', 'shippers');

/** The Perl programs, run as `perl -e PROGRAM -- OPTIONS -- FILES`, compared as the manifest writes them. */
const PERL_PROGRAMS: readonly { readonly file: string; readonly describe: (files: string[]) => Program }[] = [
  { file: 'stream.pl', describe: files => ({ does: `stream: prints each line of ${list(files)} once`, printsLogs: true }) },
  { file: 'fluent-bit/rotator.pl', describe: files => ({ does: `rotates ${list(files)} for Fluent Bit`, printsLogs: false }) },
  { file: 'fluent-bit/state-keeper.pl', describe: () => ({ does: 'keeps Fluent Bit\'s position databases usable', printsLogs: false }) },
];

// The cat loop's `sh -c` script, with its paths quoted by lib/shell.ts.
const CAT_LOOP = /^while true; do cat (.+); sleep (\d+); done$/;

/** What `command` and `args` run, or undefined for a program this project does not write. */
export function programOf(command: readonly string[], args: readonly string[]): Program | undefined {
  const argv = [...command, ...args];
  if (argv.length === 3 && argv[0] === 'sh' && argv[1] === '-c') {
    const loop = CAT_LOOP.exec(argv[2]);
    if (loop) {
      return { does: `cat loop: prints ${list(shellWords(loop[1]))} whole every ${loop[2]} s`, printsLogs: true };
    }
  }
  if (argv[0] === 'perl' && argv[1] === '-e' && argv.length > 2) {
    const known = PERL_PROGRAMS.find(program => escapeForKubelet(programText(program.file)) === argv[2]);
    // The files come last, after the second `--`.
    return known?.describe(argv.slice(argv.lastIndexOf('--') + 1));
  }
  return undefined;
}

const texts = new Map<string, string>();

function programText(file: string): string {
  let text = texts.get(file);
  if (text === undefined) {
    text = fs.readFileSync(path.join(SHIPPERS, file), 'utf8');
    texts.set(file, text);
  }
  return text;
}

/** Files by their base names, which is how the diagram shows them: their directory is the mount's path. */
function list(files: readonly string[]): string {
  return files.map(file => path.posix.basename(file)).join(', ');
}

/** The words of a list of words quoted as lib/shell.ts quotes them: plain, in single quotes, `\'` between. */
function shellWords(text: string): string[] {
  return [...text.matchAll(/(?:'[^']*'|\\.|[^\s'\\])+/g)]
    .map(word => word[0].replace(/'([^']*)'|\\(.)/g, (_all, quoted?: string, escaped?: string) => quoted ?? escaped ?? ''));
}

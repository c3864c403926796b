import { checkProps, FieldTypes, required, STRING } from './runtime-types';
import { show, validateReadBackAsWritten } from './validation';
import { unreadableCharacters } from './yaml-reading';

/** Options of `LogReopen.signal()`. */
export interface LogReopenSignalOptions {
  /**
   * The start of the writer's command line, as `/proc/PID/cmdline` has it with the NULs
   * between its arguments read as spaces, such as `'php-fpm: master process'` or
   * `'/app/server --log-dir'`. The first process found whose command line starts with it
   * is signalled, so it should match the writer's main process only.
   */
  readonly processCommandLine: string;

  /**
   * The signal that makes that process reopen its log files, named without `SIG`:
   * one of `HUP`, `USR1`, `USR2`, `WINCH` or `ALRM`.
   */
  readonly signal: string;
}

/**
 * How the log writer is told to reopen its log files after the shipper has
 * renamed one to rotate it: which process gets which signal. Pick one with a
 * static method: `nginx()` or `signal()`.
 */
export class LogReopen {
  /** SIGUSR1 to nginx's master process, whose command line starts with `nginx: master process`. */
  public static nginx(): LogReopen {
    return new LogReopen(NGINX_PROCESS, NGINX_SIGNAL, 'LogReopen.nginx()');
  }

  /** A signal to the process whose command line starts with `processCommandLine`, for a writer other than nginx. */
  public static signal(options: LogReopenSignalOptions): LogReopen {
    const what = 'LogReopen.signal()';
    checkProps(`${what} options`, options, OPTION_TYPES, `${what} `);
    validateProcessCommandLine(`${what} processCommandLine`, options.processCommandLine);
    if (!SIGNALS.includes(options.signal)) {
      throw new Error(`${what} signal must be one of ${SIGNALS.map(s => JSON.stringify(s)).join(', ')} `
        + `(a signal the writer catches to reopen its logs, named without "SIG"), got ${show(options.signal)}`);
    }
    return new LogReopen(options.processCommandLine, options.signal,
      `${what.slice(0, -1)}{ processCommandLine: ${show(options.processCommandLine)}, signal: ${show(options.signal)} })`);
  }

  private constructor(
    /** The start of the command line of the process signalled, NULs read as spaces. */
    public readonly processCommandLine: string,
    /** The signal sent, named without `SIG`, such as `USR1`. */
    public readonly signalName: string,
    private readonly what: string,
  ) {}

  /** How it was made, such as `LogReopen.nginx()`. */
  public toString(): string {
    return this.what;
  }

  /**
   * The options of the rotating programs (`stream.pl`, `rotator.pl`) that say this: none
   * for nginx's, their default, so that a manifest rotating for nginx is as before.
   * @internal
   */
  public _programOptions(): string[] {
    if (this.processCommandLine === NGINX_PROCESS && this.signalName === NGINX_SIGNAL) {
      return [];
    }
    return ['--reopen-process', this.processCommandLine, '--reopen-signal', this.signalName];
  }
}

const NGINX_PROCESS = 'nginx: master process';
const NGINX_SIGNAL = 'USR1';

/**
 * Signals a daemon may catch to reopen its logs; the ones that stop a process
 * whatever it does (KILL, STOP) or ask it to (TERM, INT, QUIT) are not among them.
 */
const SIGNALS = ['HUP', 'USR1', 'USR2', 'WINCH', 'ALRM'];

/** The rotating programs run as `perl -e PROGRAM ...`: a prefix of that would find them instead of the writer. */
const OWN_COMMAND_LINE = 'perl -e ';

const OPTION_TYPES: FieldTypes<LogReopenSignalOptions> = {
  processCommandLine: required(STRING),
  signal: required(STRING),
};

function validateProcessCommandLine(prop: string, value: string): void {
  if (value === '') {
    throw new Error(`${prop} must be the start of the writer's command line, not empty, got ""`);
  }
  if (value.includes('\0')) {
    throw new Error(`${prop} must not contain NUL (U+0000): the NULs between the arguments in /proc/PID/cmdline `
      + `are read as spaces, so write a space there, got ${show(value)}`);
  }
  const unreadable = unreadableCharacters(value);
  if (unreadable) {
    throw new Error(`${prop} must not contain ${unreadable}, got ${show(value)}`);
  }
  if (OWN_COMMAND_LINE.startsWith(value) || value.startsWith(OWN_COMMAND_LINE)) {
    throw new Error(`${prop} must not match the sidecar's own programs, whose command lines start with `
      + `${show(OWN_COMMAND_LINE)}, got ${show(value)}`);
  }
  validateReadBackAsWritten(prop, value);
}

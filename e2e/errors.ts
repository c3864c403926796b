/**
 * The machine cannot run containers at all (podman missing, no registry, the
 * stand-ins do not build, a plain container does not start). Reported apart
 * from a manifest's failure: it says nothing about the manifest.
 */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/** A check on a played manifest did not hold; the message says what broke. */
export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailure';
  }
}

/** Ctrl-C or a CI timeout's SIGINT/SIGTERM arrived; teardown still runs. */
export class Interrupted extends Error {
  constructor(signal: string) {
    super(`interrupted by ${signal}`);
    this.name = 'Interrupted';
  }
}

// The kubelet expands a container's `command` and `args` before it runs them
// (Container.command in the Kubernetes API): `$(NAME)` becomes the value of
// the environment variable NAME when it is defined, and `$$` becomes `$`.
// Every other `$` is kept, so only a `$` before `$` or `(` must be escaped.

/** One argument, written so that the kubelet's expansion gives back exactly `word`. */
export function escapeForKubelet(word: string): string {
  return word.replace(/\$(?=[$(])/g, '$$$$');
}

/** A whole command or argument list, escaped word by word. */
export function escapeAllForKubelet(words: readonly string[]): string[] {
  return words.map(escapeForKubelet);
}

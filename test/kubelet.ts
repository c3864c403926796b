// What the kubelet does to a container's command and args before it runs
// them: a port of Kubernetes' third_party/forked/golang/expansion Expand(),
// the rule the API documents on Container.command: "$(VAR_NAME)" is replaced
// by the variable's value when it is defined and kept as written otherwise,
// "$$" becomes "$", and any other "$" is kept.

/** Expands one word; `lookup` gives a variable's value or undefined. */
export function expandLikeKubelet(input: string, lookup: (name: string) => string | undefined): string {
  let output = '';
  let checkpoint = 0;
  // Go indexes bytes; '$', '(' and ')' are ASCII, so UTF-16 indices find the same places.
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    output += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance: number;
    if (rest[0] === '$') {
      output += '$';
      advance = 1;
    } else if (rest[0] === '(') {
      const closer = rest.indexOf(')', 1);
      if (closer === -1) {
        output += '$(';
        advance = 1;
      } else {
        const name = rest.slice(1, closer);
        output += lookup(name) ?? `$(${name})`;
        advance = closer + 1;
      }
    } else {
      // The operator and the whole next character (a surrogate pair counts as one).
      const next = String.fromCodePoint(rest.codePointAt(0)!);
      output += `$${next}`;
      advance = next.length;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return output + input.slice(checkpoint);
}

/** Every variable defined, as the worst case for a word meant literally. */
export const EVERY_VARIABLE_DEFINED = (name: string) => `<value of ${name}>`;

/** A container's command and args as its process receives them. */
export function argvOf(container: { command?: string[]; args?: string[] }, lookup = EVERY_VARIABLE_DEFINED): string[] {
  return [...container.command ?? [], ...container.args ?? []].map(word => expandLikeKubelet(word, lookup));
}

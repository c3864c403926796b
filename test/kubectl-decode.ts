// kubectl, with no cluster (`--local`), as an independent reader of manifests:
// `kubectl set env` decodes every object into the real Kubernetes Go types,
// as the API server's decoder would, and prints the workloads it could give
// a variable; `kubectl label` reads every object as plain YAML and prints it.
import { execFile } from 'child_process';
import * as path from 'path';

/** The variable `set env` adds to every container and init container; the read-back comparison takes it out again. */
export const DECODE_CHECK_VARIABLE = { name: 'KUBECTL_DECODE_CHECK', value: '1' };
/** The label `label` adds to every object. */
export const DECODE_CHECK_LABEL = { key: 'kubectl-decode-check', value: '1' };

// `set env` needs a pod template, so on any other kind it fails after
// decoding: that object was decoded fine, into the Go type named at the end.
const NOT_A_POD = /^error: (\S+) the object is not a pod or does not have a pod template: (.*)$/;

interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Runs kubectl hermetically: no kubeconfig, no cluster, `home` as its home directory. */
function kubectl(args: string[], home: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', args, {
      env: { ...process.env, KUBECONFIG: path.join(home, 'no-kubeconfig'), HOME: home },
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 1 << 30,
    }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`kubectl could not be run (${error.message}); it is installed from the google-cloud-cli apt repository`));
        return;
      }
      resolve({ stdout, stderr, code: typeof error?.code === 'number' ? error.code : 0 });
    });
  });
}

/** What kubectl made of a file: the objects it decoded, and every error that is not about an object having no pod template. */
export interface Decoded {
  readonly objects: string[];
  readonly errors: string[];
}

/** Decodes `file` (or every file of a directory) into the Go types; `objects` as `kind.group/name`, sorted. */
export async function kubectlDecode(file: string, home: string): Promise<Decoded> {
  const { stdout, stderr, code } = await kubectl(['set', 'env', '--local', '-f', file, envArgument(), '--dry-run=client', '-o', 'name'], home);
  const objects = stdout.split('\n').filter(Boolean);
  const errors: string[] = [];
  for (const line of stderr.split('\n').filter(Boolean)) {
    const notAPod = NOT_A_POD.exec(line);
    if (notAPod) objects.push(notAPod[1]);
    else errors.push(line);
  }
  if (code !== 0 && errors.length === 0 && objects.length === 0) errors.push(`kubectl exited with ${code}`);
  return { objects: objects.sort(), errors };
}

/** What kubectl printed for the files of a directory, in the order of the files and of the objects in each. */
export interface DirectoryReading {
  /** The workloads, decoded into the Go types and printed back, with `DECODE_CHECK_VARIABLE` added. */
  readonly typed: any[];
  /** `kind/name` and Go type (such as `*v1.ConfigMap`) of the objects decoded that have no pod template, and so were not printed. */
  readonly decodedOnly: Array<{ readonly object: string; readonly goType: string }>;
  /** Every object, read as YAML only and printed back, with `DECODE_CHECK_LABEL` added. */
  readonly unstructured: any[];
  /** Errors, each with the file it is about when it names one. */
  readonly errors: Array<{ readonly file?: string; readonly message: string }>;
}

/**
 * Reads every file of `dir` with both commands, concurrently. One file
 * kubectl cannot read makes it print nothing at all, only the errors: the
 * caller takes such files out and reads the directory again.
 */
export async function kubectlReadDirectory(dir: string, home: string): Promise<DirectoryReading> {
  const files = `${dir}${path.sep}`;
  const [typed, unstructured] = await Promise.all([
    kubectl(['set', 'env', '--local', '-f', files, envArgument(), '--dry-run=client', '-o', 'json'], home),
    kubectl(['label', '--local', '-f', files, `${DECODE_CHECK_LABEL.key}=${DECODE_CHECK_LABEL.value}`, '-o', 'json'], home),
  ]);
  const decodedOnly: Array<{ object: string; goType: string }> = [];
  const errors: Array<{ file?: string; message: string }> = [];
  for (const [run, command] of [[typed, 'set env'], [unstructured, 'label']] as const) {
    const explained = errors.length + decodedOnly.length;
    for (const line of run.stderr.split('\n').filter(Boolean)) {
      const notAPod = command === 'set env' ? NOT_A_POD.exec(line) : null;
      if (notAPod) {
        decodedOnly.push({ object: notAPod[1], goType: notAPod[2] });
      } else {
        const file = line.split(/[\s"]/).find(word => word.startsWith(files))?.replace(/:$/, '');
        errors.push({ file: file && path.basename(file), message: `kubectl ${command}: ${line}` });
      }
    }
    if (run.code !== 0 && errors.length + decodedOnly.length === explained) {
      errors.push({ message: `kubectl ${command} exited with ${run.code} and no message` });
    }
  }
  return { typed: splitJsonObjects(typed.stdout), decodedOnly, unstructured: splitJsonObjects(unstructured.stdout), errors };
}

/**
 * kubectl's `-o json` prints one indented object after another, not a List.
 * A line that is just `}` closes a top-level object: JSON strings hold no raw
 * line breaks, and everything inside an object is indented.
 */
export function splitJsonObjects(output: string): any[] {
  const objects = output.split(/^}$/m);
  const rest = objects.pop()!;
  if (rest.trim() !== '') {
    throw new Error(`kubectl printed something after its last object: ${JSON.stringify(rest.slice(0, 200))}`);
  }
  return objects.map(text => JSON.parse(`${text}}`));
}

function envArgument(): string {
  return `${DECODE_CHECK_VARIABLE.name}=${DECODE_CHECK_VARIABLE.value}`;
}

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IMAGES, mirrorRepository, REGISTRY, repositoryOf } from './config';

/**
 * podman's configuration for one run of the e2e (or the bench), in a directory
 * of its own that is removed when the process exits: nothing is written under
 * /etc/containers (a registry mirror left there would send every later
 * `podman pull nginx` on the machine to a loopback registry that no longer runs).
 *
 * Every podman the e2e starts (directly, from e2e/build-standins.sh, and the
 * cleanup command conmon runs) inherits the two variables set here:
 *
 * - CONTAINERS_REGISTRIES_CONF: read instead of /etc/containers/registries.conf.
 *   podman still reads the drop-ins of /etc/containers/registries.conf.d/ (and
 *   ~/.config/containers/registries.conf.d/) on top of it, which is why the
 *   preflight asks `podman info` whether the mirrors it sees are these.
 * - CONTAINERS_CONF: in podman 4.3 (Debian 12) this replaces the whole
 *   containers.conf chain (/usr/share/containers/containers.conf,
 *   /etc/containers/containers.conf and containers.conf.d/), and
 *   CONTAINERS_CONF_OVERRIDE, which would add one file on top, does not exist
 *   yet (podman 4.3.1 ignores it; measured). So the file is the distribution's
 *   /usr/share/containers/containers.conf, whose capabilities and sysctls
 *   differ from podman's built-in defaults, with the two settings the e2e needs
 *   added: runc (crun refuses this host's hybrid cgroups) and default_ulimits
 *   (podman's defaults exceed this host's hard limits). An admin's
 *   /etc/containers/containers.conf and containers.conf.d/ are not read by the
 *   e2e's podman; `ignored` lists them so the preflight can say so.
 */
export interface PodmanConfig {
  readonly dir: string;
  readonly containersConf: string;
  readonly registriesConf: string;
  /** Files podman would read without CONTAINERS_CONF that the e2e's podman does not. */
  readonly ignored: readonly string[];
}

/** The distribution's defaults, the base of the e2e's containers.conf. */
const DISTRIBUTION_CONTAINERS_CONF = '/usr/share/containers/containers.conf';
const ADMIN_CONTAINERS_CONF = '/etc/containers/containers.conf';
const ADMIN_CONTAINERS_CONF_D = '/etc/containers/containers.conf.d';

/** What the e2e sets in containers.conf, per table; the values are TOML. */
const CONTAINERS_SETTINGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  containers: { default_ulimits: '["nofile=20000:20000", "nproc=32768:32768"]' },
  engine: { runtime: '"runc"' },
};

let current: PodmanConfig | undefined;

/**
 * Writes the run's containers.conf and registries.conf to a new directory
 * under the temp dir, points this process's environment (and so every child's)
 * at them, and removes the directory when the process exits. Idempotent.
 */
export function usePodmanConfig(runId: string): PodmanConfig {
  if (current) return current;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-e2e-podman-${runId}-`));
  const containersConf = path.join(dir, 'containers.conf');
  const registriesConf = path.join(dir, 'registries.conf');
  const base = fs.existsSync(DISTRIBUTION_CONTAINERS_CONF) ? fs.readFileSync(DISTRIBUTION_CONTAINERS_CONF, 'utf8') : '';
  fs.writeFileSync(containersConf, `# Written by cdk8s-logging-sidecar e2e/podman-config.ts for run ${runId}: `
    + `${DISTRIBUTION_CONTAINERS_CONF} with the e2e's settings added\n${withSettings(base, CONTAINERS_SETTINGS)}`);
  fs.writeFileSync(registriesConf, registriesConfText(runId));
  for (const [name, file] of [['CONTAINERS_CONF', containersConf], ['CONTAINERS_REGISTRIES_CONF', registriesConf]]) {
    const previous = process.env[name];
    if (previous !== undefined && previous !== file) console.log(`  note: ${name}=${previous} from the environment is replaced for this run`);
    process.env[name] = file;
  }
  // Synchronous, so that it also runs on process.exit() from a signal handler.
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const ignored = [
    ...(fs.existsSync(ADMIN_CONTAINERS_CONF) ? [ADMIN_CONTAINERS_CONF] : []),
    ...(fs.existsSync(ADMIN_CONTAINERS_CONF_D)
      ? fs.readdirSync(ADMIN_CONTAINERS_CONF_D).filter(f => f.endsWith('.conf')).sort().map(f => path.join(ADMIN_CONTAINERS_CONF_D, f))
      : []),
  ];
  current = { dir, containersConf, registriesConf, ignored };
  return current;
}

/**
 * Only the images the e2e uses are mirrored. Each is a real mirror, not a
 * rewrite: podman asks the loopback registry first and, when that does not
 * have the image (or is not running), the official registry. The e2e serves a
 * stand-in there only for an image it did not pull officially (e2e/images.ts),
 * so an official image is never shadowed by a stand-in.
 */
export function registriesConfText(runId: string): string {
  const lines = [
    `# Written by cdk8s-logging-sidecar e2e/podman-config.ts for run ${runId}`,
    'unqualified-search-registries = ["docker.io"]',
  ];
  for (const image of IMAGES) {
    const repo = repositoryOf(image.official);
    lines.push('', '[[registry]]', `prefix = "${repo}"`, `location = "${repo}"`, '',
      '[[registry.mirror]]', `location = "${mirrorRepository(image.official)}"`, 'insecure = true');
  }
  // The e2e pushes to the registry and may pull from it by its own address.
  lines.push('', '[[registry]]', `location = "${REGISTRY}"`, 'insecure = true', '');
  return lines.join('\n');
}

/**
 * A TOML file with `settings` added under their tables: right after the
 * table's header, or in a new table at the end. A key the file already sets
 * in that table is an error (TOML refuses duplicate keys, and which value
 * should win is not for the e2e to guess).
 */
export function withSettings(toml: string, settings: Readonly<Record<string, Readonly<Record<string, string>>>>): string {
  const lines = toml.split('\n');
  for (const [table, values] of Object.entries(settings)) {
    const header = lines.findIndex(l => new RegExp(`^\\s*\\[${table}\\]\\s*(#.*)?$`).test(l));
    const added = Object.entries(values).map(([k, v]) => `${k} = ${v}`);
    if (header < 0) {
      lines.push('', `[${table}]`, ...added);
      continue;
    }
    const next = lines.findIndex((l, i) => i > header && /^\s*\[/.test(l));
    const body = lines.slice(header + 1, next < 0 ? undefined : next);
    for (const key of Object.keys(values)) {
      if (body.some(l => new RegExp(`^\\s*${key}\\s*=`).test(l))) {
        throw new Error(`the base containers.conf (${DISTRIBUTION_CONTAINERS_CONF}) already sets [${table}] ${key}, which the e2e sets itself`);
      }
    }
    lines.splice(header + 1, 0, ...added);
  }
  return lines.join('\n');
}

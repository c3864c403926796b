import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Why this exists: the e2e must leave the host as it found it. An older
 * scripts/setup-podman.sh left a registry mirror in
 * /etc/containers/registries.conf.d/ after `npm run e2e`, so a plain
 * `podman pull nginx` on that machine was sent to a loopback registry that no
 * longer ran. The e2e now configures podman for itself only
 * (e2e/podman-config.ts); this fingerprint turns "nothing global changed" into
 * a check: taken when the run starts, compared when it ends on every exit path.
 *
 * A fingerprint is every entry under podman's global and per-user
 * configuration directories, recursively: its path, type, mode, owner, and
 * for a file the sha256 of its content, for a symbolic link its target (never
 * followed). A directory that does not exist fingerprints as absent, so
 * creating it is a difference too.
 */
export type HostFingerprint = ReadonlyMap<string, string>;

/** podman's global configuration, and the user's (root's here) if podman would read it. */
export function hostConfigDirs(): string[] {
  const dirs = ['/etc/containers', path.join(os.homedir(), '.config', 'containers')];
  if (process.env.XDG_CONFIG_HOME) dirs.push(path.join(process.env.XDG_CONFIG_HOME, 'containers'));
  return [...new Set(dirs.map(d => path.resolve(d)))];
}

export function fingerprintHostConfig(dirs: readonly string[] = hostConfigDirs()): HostFingerprint {
  const entries = new Map<string, string>();
  const walk = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch (e) {
      entries.set(p, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : `unreadable (${(e as Error).message})`);
      return;
    }
    const meta = `mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')} owner ${st.uid}:${st.gid}`;
    if (st.isSymbolicLink()) {
      entries.set(p, `symlink -> ${fs.readlinkSync(p)} ${meta}`);
    } else if (st.isDirectory()) {
      entries.set(p, `directory ${meta}`);
      for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name));
    } else if (st.isFile()) {
      let digest: string;
      try {
        digest = `sha256 ${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`;
      } catch (e) {
        digest = `unreadable (${(e as Error).message})`;
      }
      entries.set(p, `file ${meta} ${digest}`);
    } else {
      entries.set(p, `special ${meta}`);
    }
  };
  for (const dir of dirs) walk(dir);
  return entries;
}

/** What changed between two fingerprints, one line per path; empty when nothing did. */
export function hostConfigDifferences(before: HostFingerprint, after: HostFingerprint): string[] {
  const out: string[] = [];
  for (const p of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const was = before.get(p);
    const is = after.get(p);
    if (was === is) continue;
    if (was === undefined || was === 'absent') out.push(`added ${p}: ${is}`);
    else if (is === undefined || is === 'absent') out.push(`removed ${p}: was ${was}`);
    else out.push(`changed ${p}: ${was} -> ${is}`);
  }
  return out;
}

/** `/etc/containers (9 entries), /root/.config/containers (absent)`. */
export function describeHostConfig(fingerprint: HostFingerprint, dirs: readonly string[] = hostConfigDirs()): string {
  return dirs.map(d => {
    if (fingerprint.get(d) === 'absent') return `${d} (absent)`;
    const n = [...fingerprint.keys()].filter(p => p === d || p.startsWith(`${d}/`)).length;
    return `${d} (${n} entries)`;
  }).join(', ');
}

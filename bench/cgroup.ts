import * as fs from 'fs';

/**
 * Reads one container's CPU and memory from its cgroup, v1 (this host's
 * layout: podman with cgroupfs puts containers under /libpod_parent) or v2.
 */
export class ContainerCgroup {
  private readonly v2: boolean;

  constructor(private readonly cgroupPath: string) {
    this.v2 = !fs.existsSync(`/sys/fs/cgroup/cpuacct${cgroupPath}`) && fs.existsSync(`/sys/fs/cgroup${cgroupPath}/cpu.stat`);
  }

  /** CPU time used so far, in seconds. */
  public cpuSeconds(): number {
    if (this.v2) {
      const usec = /usage_usec (\d+)/.exec(this.read('', 'cpu.stat'))?.[1];
      return Number(usec) / 1e6;
    }
    return Number(this.read('cpuacct', 'cpuacct.usage')) / 1e9;
  }

  /** Memory charged now (with page cache) and the resident part of it, in bytes. */
  public memory(): { usage: number; rss: number } {
    if (this.v2) {
      const stat = this.read('', 'memory.stat');
      return { usage: Number(this.read('', 'memory.current')), rss: Number(/^anon (\d+)/m.exec(stat)?.[1] ?? NaN) };
    }
    const stat = this.read('memory', 'memory.stat');
    return {
      usage: Number(this.read('memory', 'memory.usage_in_bytes')),
      rss: Number(/^total_rss (\d+)/m.exec(stat)?.[1] ?? NaN),
    };
  }

  private read(controller: string, file: string): string {
    const dir = controller ? `/sys/fs/cgroup/${controller}${this.cgroupPath}` : `/sys/fs/cgroup${this.cgroupPath}`;
    return fs.readFileSync(`${dir}/${file}`, 'utf8').trim();
  }
}

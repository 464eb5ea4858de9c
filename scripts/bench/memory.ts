import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** A service process of a running system: its name (from `services/<name>/`) and pid. */
interface ServiceProcess {
  name: string;
  pid: number;
}

/** The processes below `root` (the supervisor) that run a service's bundle (dist/apps/<name>.js, decision 0086), read from /proc. */
function serviceProcesses(root: number): ServiceProcess[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 2nd field after the parenthesised command name, which may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: ServiceProcess[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      const cmdline = readText(`/proc/${child}/cmdline`).split('\0').join(' ');
      const name = /\/apps\/([a-z-]+)\.js(?: |$)/.exec(cmdline)?.[1];
      if (name) found.push({ name, pid: child });
      walk(child);
    }
  };
  walk(root);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Peak resident memory of each service of a system, from /proc (Linux): `reset` starts a new peak
 * (clear_refs 5), `read` gives the peaks since, in MiB. Elsewhere, or for processes that are gone,
 * it reads nothing rather than failing the bench.
 */
export class ServiceMemory {
  constructor(private readonly supervisorPid: number) {}

  reset(): void {
    for (const { pid } of serviceProcesses(this.supervisorPid)) {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // not permitted or gone: the peak then counts from the process's start
      }
    }
  }

  read(): Array<{ name: string; peakMiB: number }> {
    return serviceProcesses(this.supervisorPid).flatMap(({ name, pid }) => {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readText(`/proc/${pid}/status`))?.[1];
      return hwm ? [{ name, peakMiB: Number(hwm) / 1024 }] : [];
    });
  }

  /** "peak RSS gateway 80 MiB, enrolment 120 MiB", for the services that served the row. */
  describe(only?: readonly string[]): string {
    const peaks = this.read().filter((p) => !only || only.includes(p.name));
    return peaks.length === 0 ? 'peak RSS n/a' : `peak RSS ${peaks.map((p) => `${p.name} ${Math.round(p.peakMiB)} MiB`).join(', ')}`;
  }
}

/** CPU seconds a process has used (user + system), from /proc/<pid>/stat; 0 if it cannot be read. */
function cpuMs(pid: number): number {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, in clock ticks (USER_HZ, 100 on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * CPU time per event of every process of a system and of the bench's own client, over one row: on a
 * 2-core machine the row's throughput is bounded by the sum, and the split says which process to
 * profile (decision 0100).
 */
export class SystemCpu {
  private before = new Map<number, number>();
  private clientBefore = process.cpuUsage();

  constructor(private readonly supervisorPid: number) {}

  reset(): void {
    this.before = new Map(serviceProcesses(this.supervisorPid).map(({ pid }) => [pid, cpuMs(pid)]));
    this.clientBefore = process.cpuUsage();
  }

  /** "CPU µs/event: enrolment 880, reporting 190, … (system 1,480), client 40". */
  describe(events: number): string {
    const per = (ms: number) => Math.round((ms * 1000) / events);
    const used = serviceProcesses(this.supervisorPid)
      .map(({ name, pid }) => ({ name, us: per(cpuMs(pid) - (this.before.get(pid) ?? cpuMs(pid))) }))
      .filter((p) => p.us > 0)
      .sort((a, b) => b.us - a.us);
    if (used.length === 0) return 'CPU n/a';
    const client = process.cpuUsage(this.clientBefore);
    const total = used.reduce((sum, p) => sum + p.us, 0);
    return `CPU µs/event: ${used.map((p) => `${p.name} ${p.us}`).join(', ')} (system ${total.toLocaleString('en-US')}), bench client ${per((client.user + client.system) / 1000)}`;
  }
}

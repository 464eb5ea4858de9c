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

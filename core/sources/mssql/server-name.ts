// Server names as plant IT writes them (the way SSMS shows them).

export interface MssqlTarget {
  server: string;
  port?: number;
  instance?: string;
}

/** Server names the way SSMS shows them: HOST\INSTANCE, HOST,PORT, tcp:HOST, (local), '.'. */
export function parseServer(host: string, port?: number, instanceName?: string): MssqlTarget {
  let h = host.trim().replace(/^tcp:/i, '');
  let p = port;
  let instance = instanceName;
  const comma = /^(.*),(\d+)$/.exec(h);
  if (comma) {
    h = comma[1];
    p = p ?? Number(comma[2]);
  }
  const bs = h.indexOf('\\');
  if (bs >= 0) {
    instance = instance ?? h.slice(bs + 1);
    h = h.slice(0, bs);
  }
  if (h === '.' || /^\(local\)$/i.test(h) || h === '') h = 'localhost';
  // A port reaches the instance directly; the name is only needed to ask SQL Server Browser for it.
  return p ? { server: h, port: p } : instance ? { server: h, instance } : { server: h, port: 1433 };
}

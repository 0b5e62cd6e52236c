import type { WorkerUsage } from '../interfaces/taskStatusStore';

/** CPU (percent of one core, since the previous call) and resident memory of this process. */
export function createUsageSampler(): () => WorkerUsage {
  let lastCpu = process.cpuUsage();
  let lastAt = process.hrtime.bigint();
  return () => {
    const cpu = process.cpuUsage();
    const at = process.hrtime.bigint();
    const usedUs = cpu.user - lastCpu.user + (cpu.system - lastCpu.system);
    const wallUs = Number(at - lastAt) / 1000;
    lastCpu = cpu;
    lastAt = at;
    return {
      cpuPercent: wallUs > 0 ? Math.round((usedUs / wallUs) * 1000) / 10 : 0,
      rssBytes: process.memoryUsage.rss(),
    };
  };
}

package dev.loopserve.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time that each process of the suite, this JVM (the load generator) and the whole machine used
 * over a window, so a figure can be read against what it cost and what else was running.
 *
 * @param byProcess CPU time by process name; {@value #LOAD_GENERATOR} is this JVM, {@value
 *     #MACHINE} all processes on the machine (Linux only, absent elsewhere)
 */
record CpuUse(Duration window, Map<String, Duration> byProcess) {

  static final String LOAD_GENERATOR = "load generator";
  static final String MACHINE = "machine";

  /** Cores' worth of CPU that {@code name} used on average over the window. */
  double cores(String name) {
    Duration used = byProcess.get(name);
    return used == null ? Double.NaN : (double) used.toNanos() / window.toNanos();
  }

  /** CPU microseconds {@code name} spent per event, for {@code events} events in the window. */
  double microsPer(String name, long events) {
    Duration used = byProcess.get(name);
    return used == null || events == 0 ? Double.NaN : used.toNanos() / 1000.0 / events;
  }

  /** Reads the counters of a fixed set of processes. */
  static final class Meter {

    private final List<ServiceProcess> processes;

    Meter(List<ServiceProcess> processes) {
      this.processes = List.copyOf(processes);
    }

    Snapshot snapshot() {
      Map<String, Duration> cpu = new LinkedHashMap<>();
      processes.forEach(p -> cpu.put(p.name(), p.cpuTime()));
      cpu.put(
          LOAD_GENERATOR, ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO));
      Duration machine = machineBusy();
      if (machine != null) {
        cpu.put(MACHINE, machine);
      }
      return new Snapshot(System.nanoTime(), cpu);
    }

    CpuUse since(Snapshot before) {
      Snapshot now = snapshot();
      Map<String, Duration> used = new LinkedHashMap<>();
      now.cpu().forEach((name, total) -> used.put(name, total.minus(before.cpu().get(name))));
      return new CpuUse(Duration.ofNanos(now.nanoTime() - before.nanoTime()), used);
    }

    /** Busy time of all cores from /proc/stat (user, nice, system, irq, softirq, steal). */
    private static Duration machineBusy() {
      try {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long ticks = 0;
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
          ticks += Long.parseLong(f[i]);
        }
        // USER_HZ is 100 on every Linux this runs on.
        return Duration.ofMillis(ticks * 10);
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
  }

  record Snapshot(long nanoTime, Map<String, Duration> cpu) {}
}

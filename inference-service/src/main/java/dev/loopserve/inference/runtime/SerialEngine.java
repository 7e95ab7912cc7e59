package dev.loopserve.inference.runtime;

import ai.onnxruntime.OrtEnvironment;
import dev.loopserve.inference.model.LoadedModel;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One request at a time, in arrival order. The simplest engine; no batching. */
public final class SerialEngine implements InferenceEngine {

  private final SequentialGenerator generator;
  private final LinkedBlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean accepting = true;
  private volatile boolean running;
  private volatile double secondsPerStep;

  private record Entry(Ticket ticket, TokenListener listener) {}

  public SerialEngine(OrtEnvironment env, LoadedModel model) {
    this.generator = new SequentialGenerator(env, model);
    this.thread = new Thread(this::loop, "engine-" + model.name());
    this.thread.setDaemon(true);
    this.thread.start();
  }

  @Override
  public Ticket submit(GenerationRequest request, TokenListener listener) {
    if (!accepting) {
      throw new IllegalStateException("engine is shut down");
    }
    Ticket ticket = new Ticket(request, System.nanoTime());
    queue.add(new Entry(ticket, listener));
    return ticket;
  }

  private void loop() {
    try {
      while (accepting || !queue.isEmpty()) {
        Entry entry = queue.poll(100, TimeUnit.MILLISECONDS);
        if (entry == null || entry.ticket.abandoned()) {
          continue;
        }
        running = true;
        entry.ticket.started(System.currentTimeMillis());
        GenerationResult result =
            generator.generate(
                entry.ticket.request(),
                entry.listener,
                () -> entry.ticket.cancelled() || entry.ticket.abandoned());
        running = false;
        int steps = java.util.Arrays.stream(result.stepsPerToken()).sum();
        if (steps > 0) {
          secondsPerStep = result.computeNanos() / 1e9 / steps;
        }
        if (!entry.ticket.abandoned()) {
          entry.ticket.complete(result);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public EngineStats stats() {
    return new EngineStats(running ? 1 : 0, 1, queue.size(), secondsPerStep);
  }

  @Override
  public void shutdown(long graceMillis) throws InterruptedException {
    accepting = false;
    thread.join(Math.max(1, graceMillis));
    queue.forEach(e -> e.ticket.abandon());
    thread.interrupt();
    thread.join();
    generator.close();
  }
}

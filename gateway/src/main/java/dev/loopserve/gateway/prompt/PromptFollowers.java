package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.TokenEvent;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets callers follow prompts as {@link PromptViews} learns about them, without polling. Each
 * follower remembers what it has been told and, whenever the view of its prompt changes, is told
 * what the view now holds beyond that: so a follower that starts late first hears everything that
 * already happened, and a change applied twice or while the follower is starting is heard once.
 */
public final class PromptFollowers {

  /** Stops a follow; stopping twice, or after the result, does nothing. */
  public interface Following {
    void stop();
  }

  private final PromptViews views;
  private final Map<String, Set<Cursor>> open = new ConcurrentHashMap<>();

  PromptFollowers(PromptViews views) {
    this.views = views;
    views.onChange(this::changed);
  }

  /**
   * Starts following prompt {@code id} and tells the follower, on this thread, what is already
   * known. The id is not checked: check the caller may see the prompt first. A prompt that never
   * appears is followed until {@link Following#stop()}.
   */
  public Following follow(String id, PromptFollower follower) {
    Cursor cursor = new Cursor(id, follower);
    // Registered before the first catch-up, so no change can fall between the two.
    open.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(cursor);
    cursor.catchUp();
    return cursor::stop;
  }

  /**
   * Completes with the prompt's result once the view has it (at once if it already does).
   * Cancelling the future, or completing it any other way (e.g. {@code orTimeout}), stops
   * following.
   */
  public CompletableFuture<InferenceResult> whenFinished(String id) {
    CompletableFuture<InferenceResult> result = new CompletableFuture<>();
    Following following =
        follow(
            id,
            new PromptFollower() {
              @Override
              public void token(TokenEvent token) {}

              @Override
              public void finished(InferenceResult r) {
                result.complete(r);
              }
            });
    result.whenComplete((r, e) -> following.stop());
    return result;
  }

  /** Follows in progress, for all prompts. */
  public int following() {
    return open.values().stream().mapToInt(Set::size).sum();
  }

  private void changed(String id) {
    Set<Cursor> cursors = open.get(id);
    if (cursors != null) {
      cursors.forEach(Cursor::catchUp);
    }
  }

  private final class Cursor {

    private final String id;
    private final PromptFollower follower;
    private int nextToken;
    private boolean done;

    Cursor(String id, PromptFollower follower) {
      this.id = id;
      this.follower = follower;
    }

    synchronized void catchUp() {
      if (done) {
        return;
      }
      PromptView view = views.find(id).orElse(null);
      if (view == null) {
        return;
      }
      try {
        if (follower instanceof ViewFollower v) {
          v.viewChanged(view);
        }
        for (TokenEvent token = views.tokens(id).get(nextToken);
            token != null && !done;
            token = views.tokens(id).get(nextToken)) {
          follower.token(token);
          nextToken++;
        }
        if (!done && view.status().terminal() && view.result() != null) {
          stop();
          follower.finished(view.result());
        }
      } catch (Exception e) {
        stop();
        follower.failed(e);
      }
    }

    synchronized void stop() {
      done = true;
      open.computeIfPresent(
          id,
          (k, cursors) -> {
            cursors.remove(this);
            return cursors.isEmpty() ? null : cursors;
          });
    }
  }

  /** A follower that also hears the whole view on every change, for this package's streams. */
  interface ViewFollower extends PromptFollower {
    void viewChanged(PromptView view) throws Exception;
  }
}

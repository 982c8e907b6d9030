package org.kinmesh.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyFiles;
import org.kinmesh.relay.client.RelayAnswer;
import org.kinmesh.relay.client.RelayHttpClient;
import org.kinmesh.util.TimeSource;

/** Shared plumbing for one-shot commands: a short-lived Vert.x, a key, a relay client. */
final class Cli {
  private Cli() {}

  /** Thrown for problems the user must fix; printed without a stack trace. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  static String requireBlockchainId(String id) throws UsageException {
    if (!org.kinmesh.wire.WireRules.isBlockchainId(id)) {
      throw new UsageException("--id must be 1-64 characters of [A-Za-z0-9._-]");
    }
    return id;
  }

  static String requireKey(String option, String value) throws UsageException {
    if (!org.kinmesh.wire.WireRules.isPublicKeyHex(value)) {
      throw new UsageException(option + " must be 64 lowercase hex characters");
    }
    return value;
  }

  static Identity loadKey(Path file) throws UsageException {
    try {
      return KeyFiles.load(file);
    } catch (KeyFiles.KeyFileException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** Runs one relay call and prints its answer: the JSON body on stdout, exit 0 for 2xx. */
  static int callRelay(String command, String relayUrl, Function<RelayHttpClient, Future<RelayAnswer>> call) {
    Vertx vertx = Vertx.vertx();
    try (RelayHttpClient client = new RelayHttpClient(vertx, relayUrl, TimeSource.SYSTEM)) {
      RelayAnswer answer = await(call.apply(client), 30);
      System.out.println(answer.body().encodePrettily());
      if (!answer.ok()) {
        System.err.println("kinmesh " + command + ": relay answered " + answer.status() + " " + answer.errorCode());
        return ExitCodes.FAILURE;
      }
      return ExitCodes.OK;
    } catch (IllegalArgumentException e) {
      System.err.println("kinmesh " + command + ": " + e.getMessage());
      return ExitCodes.USAGE;
    } catch (ExecutionException e) {
      System.err.println("kinmesh " + command + ": cannot reach relay at " + relayUrl + ": " + e.getCause().getMessage());
      return ExitCodes.FAILURE;
    } catch (TimeoutException e) {
      System.err.println("kinmesh " + command + ": relay at " + relayUrl + " did not answer in time");
      return ExitCodes.FAILURE;
    } finally {
      close(vertx);
    }
  }

  static <T> T await(Future<T> f, long seconds) throws ExecutionException, TimeoutException {
    try {
      return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExecutionException(e);
    }
  }

  static void close(Vertx vertx) {
    close(vertx, 15);
  }

  static void close(Vertx vertx, long seconds) {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Closing is best effort at exit.
    }
  }
}

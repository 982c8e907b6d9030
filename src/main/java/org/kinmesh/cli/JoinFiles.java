package org.kinmesh.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyFiles;

/**
 * The files a new machine gets (node.key 0600, genesis.json, node.json with paths relative to
 * it), written so that they can be taken back: a refused join leaves the directory as it was.
 */
final class JoinFiles {
  static final String KEY = "node.key";
  static final String GENESIS = "genesis.json";
  static final String CONFIG = "node.json";
  static final String GUARDIAN = "guardian.key";

  private final Path dir;
  private final List<Path> written = new ArrayList<>();
  private boolean createdDir;

  JoinFiles(Path dir) {
    this.dir = dir;
  }

  /** Refuses a directory that already holds any of the three files: nothing is overwritten. */
  void checkFree() throws Cli.UsageException {
    if (Files.exists(dir.resolve(KEY))) {
      throw new Cli.UsageException(dir + " already holds a key (" + KEY + "); a machine joins once. Choose another"
          + " --dir, or start the node already there: kinmesh node -conf " + dir.resolve(CONFIG));
    }
    for (String f : List.of(GENESIS, CONFIG, GUARDIAN)) {
      if (Files.exists(dir.resolve(f))) {
        throw new Cli.UsageException(dir.resolve(f) + " already exists; not overwriting it. Choose an empty --dir");
      }
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new Cli.UsageException("--dir " + dir + " is a file, not a directory");
    }
  }

  /** node.json for the joined chain; identity, genesis and data are relative to the file (NodeConfig). */
  static JsonObject nodeJson(String chain, String relayUrl, String apiListen, int gossipPort) {
    return new JsonObject().put("identity_path", KEY).put("genesis_path", GENESIS).put("data_dir", "data")
        .put("blockchain_id", chain).put("relay_url", relayUrl).put("api_listen", apiListen)
        .put("gossip_udp_port", gossipPort);
  }

  /** kinmesh init's new guardian key, DIR/guardian.key (0600); taken back like the rest. */
  void writeGuardian(Identity guardian) throws IOException, KeyFiles.KeyFileException {
    makeDir();
    KeyFiles.write(dir.resolve(GUARDIAN), guardian);
    written.add(dir.resolve(GUARDIAN));
  }

  private void makeDir() throws IOException {
    if (!Files.exists(dir)) {
      Files.createDirectories(dir);
      createdDir = true;
    }
  }

  void write(Identity key, byte[] genesis, JsonObject config) throws IOException, KeyFiles.KeyFileException {
    makeDir();
    KeyFiles.write(dir.resolve(KEY), key);
    written.add(dir.resolve(KEY));
    create(dir.resolve(GENESIS), genesis);
    create(dir.resolve(CONFIG), (config.encodePrettily() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private void create(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    written.add(file);
  }

  /** Takes back what {@link #write} made; best effort, and says what it could not remove. */
  void rollback() {
    for (int i = written.size() - 1; i >= 0; i--) {
      Path p = written.get(i);
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        System.err.println("kinmesh join: could not remove " + p + ": " + e.getMessage() + "; remove it by hand");
      }
    }
    written.clear();
    if (createdDir) {
      try {
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        System.err.println("kinmesh join: could not remove " + dir + ": " + e.getMessage());
      }
    }
  }

  Path config() {
    return dir.resolve(CONFIG);
  }
}

package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.crypto.KeyFiles;
import org.kinmesh.testing.StdCapture;
import org.kinmesh.testing.TestKeys;

/** kinmesh pubkey --key FILE: the public key of a key file, or an error that says what to fix. */
class PubkeyCommandTest {
  @RegisterExtension
  final StdCapture std = new StdCapture();
  @TempDir
  Path dir;

  @Test
  void printsThePublicKeyOfAKeyFileAsItsOnlyLine() throws Exception {
    Path key = dir.resolve("node.key");
    KeyFiles.write(key, TestKeys.key(7));
    assertThat(Main.run("pubkey", "--key", key.toString())).as(std.err()).isZero();
    assertThat(std.out()).isEqualTo(TestKeys.key(7).publicKeyHex() + System.lineSeparator());
  }

  @Test
  void aMissingFileSaysHowToCreateOne() {
    Path key = dir.resolve("nope.key");
    assertThat(Main.run("pubkey", "--key", key.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(std.err()).contains("does not exist").contains("kinmesh keygen --out " + key);
    assertThat(std.out()).isEmpty();
  }

  @Test
  void aFileOthersCanReadIsRefusedWithTheChmodThatFixesIt() throws Exception {
    Path key = dir.resolve("open.key");
    KeyFiles.write(key, TestKeys.key(8));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(Main.run("pubkey", "--key", key.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(std.err()).contains("chmod 600 " + key);
    assertThat(std.out()).isEmpty();
  }

  @Test
  void aGarbledFileAndADirectoryAreRefused() throws Exception {
    Path key = dir.resolve("garbled.key");
    Files.writeString(key, "{\"primaryKeyId\": 1, \"key\": [");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    assertThat(Main.run("pubkey", "--key", key.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(std.err()).contains("not a valid Ed25519 Tink keyset");

    Path sub = Files.createDirectory(dir.resolve("adir"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    std.clear();
    assertThat(Main.run("pubkey", "--key", sub.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(std.err()).contains("cannot read key file " + sub);
    assertThat(std.out()).isEmpty();
  }
}
